import type { FileEntry } from '@audience-hub/platform';

/** Names of files still being uploaded (or ours: hidden temporaries), never taken. */
const UNFINISHED = /\.(tmp|part|partial|filepart)$/i;

export function isUnfinishedName(name: string): boolean {
  return name.startsWith('.') || UNFINISHED.test(name);
}

/**
 * A location's files that have settled: seen by two polls in a row with the same size and
 * version (ETag or mtime), and not named as an upload in progress. A file still growing, or
 * rewritten, waits for the next poll.
 */
export class SettledFiles {
  private previous = new Map<string, string>();

  settle(entries: readonly FileEntry[]): FileEntry[] {
    const seen = new Map<string, string>();
    const settled: FileEntry[] = [];
    for (const entry of entries) {
      if (isUnfinishedName(entry.name)) continue;
      const state = `${entry.size}:${entry.version}`;
      seen.set(entry.name, state);
      if (this.previous.get(entry.name) === state) settled.push(entry);
    }
    this.previous = seen;
    return settled.sort((a, b) => a.name.localeCompare(b.name));
  }
}
