/** Pairs each value with whether it is the last one, reading one ahead (so `lastPart` needs no count). */
export async function* withLast<T>(values: AsyncIterable<T>): AsyncGenerator<{ value: T; last: boolean }> {
  let previous: { value: T } | undefined;
  for await (const value of values) {
    if (previous) yield { value: previous.value, last: false };
    previous = { value };
  }
  if (previous) yield { value: previous.value, last: true };
}

export interface ChangePage {
  kind: 'added' | 'removed';
  ids: readonly string[];
}

export interface ChangeChunk {
  added: string[];
  removed: string[];
}

/** Packs pages of added/removed ids into chunks of at most `max` ids in all (removals and additions may share one). */
export async function* packChanges(pages: AsyncIterable<ChangePage>, max: number): AsyncGenerator<ChangeChunk> {
  let chunk: ChangeChunk = { added: [], removed: [] };
  let size = 0;
  for await (const page of pages) {
    let offset = 0;
    while (offset < page.ids.length) {
      const take = Math.min(max - size, page.ids.length - offset);
      const target = page.kind === 'added' ? chunk.added : chunk.removed;
      for (let i = offset; i < offset + take; i++) target.push(page.ids[i]);
      offset += take;
      size += take;
      if (size === max) {
        yield chunk;
        chunk = { added: [], removed: [] };
        size = 0;
      }
    }
  }
  if (size > 0) yield chunk;
}
