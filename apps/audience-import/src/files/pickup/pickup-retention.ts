import type { FileTransport } from '@audience-hub/platform';

export const PICKUP_FOLDERS = { applied: 'processed', refused: 'rejected' } as const;

/** Deletes what processed/ and rejected/ held longer than `retentionMs` (counted from the move); returns how many went. */
export async function deleteExpired(transport: FileTransport, retentionMs: number, now = Date.now()): Promise<number> {
  let deleted = 0;
  for (const folder of Object.values(PICKUP_FOLDERS)) {
    for (const entry of await transport.list(folder)) {
      if (now - entry.modifiedAt.getTime() < retentionMs) continue;
      await transport.delete(`${folder}/${entry.name}`);
      deleted++;
    }
  }
  return deleted;
}
