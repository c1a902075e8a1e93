import { z } from 'zod';
import { type IdType, xcIdError } from '../ids.schema';
import { MAX_CHUNK_IDS } from '../limits';
import { unlessMissing } from '../error-message';

// Building blocks shared by the membership events that travel in chunks (part/lastPart).

export const PartSchema = z.number().int('part must be an integer').min(0, 'part must be >= 0').describe('chunk number, from 0');
export const LastPartSchema = z.boolean().describe('true on the last chunk');
export const CountSchema = z.number().int('count must be an integer').min(0, 'count must be >= 0');
export const DateTimeSchema = z.iso.datetime({ offset: true, error: unlessMissing('must be an ISO 8601 date-time with an offset') });

/** Bad ids reported per array: enough to diagnose, small enough for a one-line DLQ reason. */
const MAX_REPORTED_BAD_IDS = 10;

type RefineCtx = z.core.$RefinementCtx<unknown>;

export function checkChunkSize(ctx: RefineCtx, count: number): boolean {
  if (count <= MAX_CHUNK_IDS) return true;
  ctx.addIssue({ code: 'custom', path: [], message: `chunk holds ${count} ids; at most ${MAX_CHUNK_IDS} per event` });
  return false;
}

/** Checks every id against its idType's format, reporting the offending index in the path. */
export function checkIdsOfType(ctx: RefineCtx, idType: IdType, ids: readonly unknown[], field: string): void {
  let bad = 0;
  for (let i = 0; i < ids.length; i++) {
    const error = xcIdError(idType, ids[i]);
    if (error === undefined) continue;
    if (++bad <= MAX_REPORTED_BAD_IDS) ctx.addIssue({ code: 'custom', path: [field, i], message: error });
  }
  if (bad > MAX_REPORTED_BAD_IDS) {
    ctx.addIssue({ code: 'custom', path: [field], message: `${bad - MAX_REPORTED_BAD_IDS} more invalid ids not listed` });
  }
}
