import type { IHeaders } from 'kafkajs';
import { EVENT_TYPE_HEADER } from '@audience-hub/contracts';

/** The `ce_type` header our producers send with each event (see EVENT_TYPE_HEADER). */
export function typeHeader(type: string): IHeaders {
  return { [EVENT_TYPE_HEADER]: type };
}

/** The type a message's header names, if any (the value stays the authority for everything else). */
export function typeOfHeader(headers: IHeaders | undefined): string | undefined {
  const value = headers?.[EVENT_TYPE_HEADER];
  if (value === undefined || Array.isArray(value)) return undefined;
  return value.toString();
}
