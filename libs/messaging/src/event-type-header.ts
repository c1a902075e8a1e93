import type { IHeaders } from 'kafkajs';

/**
 * Our producers name each event's type in a `ce_type` header (the CloudEvents Kafka binding's
 * name), so a consumer passes by types it does not handle without parsing their JSON.
 */
const TYPE_HEADER = 'ce_type';

export function typeHeader(type: string): IHeaders {
  return { [TYPE_HEADER]: type };
}

/** The type a message's header names, if any (the value stays the authority for everything else). */
export function typeOfHeader(headers: IHeaders | undefined): string | undefined {
  const value = headers?.[TYPE_HEADER];
  if (value === undefined || Array.isArray(value)) return undefined;
  return value.toString();
}
