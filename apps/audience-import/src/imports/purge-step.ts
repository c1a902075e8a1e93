import type { EntityManager } from 'typeorm';
import { execute, queryOne } from '@audience-hub/persistence';

/** What one purge drops: a parent row's children, a bounded slice at a time, then the parent. */
export interface Purge {
  /** Selects the parent to purge as `id`, one row locked FOR UPDATE SKIP LOCKED (two janitors take different ones). */
  pick: string;
  /** The statements that each delete a bounded slice of the parent's child rows ($1: its id), in order. */
  slices: (id: string) => readonly string[] | Promise<readonly string[]>;
  /** Once no slice deletes anything: what ends the parent's purge ($1: its id), deleting or unflagging it. */
  finish: string;
}

/**
 * One step of a background purge (the staging janitor's), in the caller's short transaction: the
 * first slice that deletes rows ends the step; when none does, the parent is finished. False when
 * nothing is left to purge.
 */
export async function purgeStep(tx: EntityManager, { pick, slices, finish }: Purge): Promise<boolean> {
  const parent = await queryOne<{ id: string }>(tx, pick);
  if (!parent) return false;
  for (const slice of await slices(parent.id)) {
    if ((await execute(tx, slice, [parent.id])) > 0) return true;
  }
  await execute(tx, finish, [parent.id]);
  return true;
}
