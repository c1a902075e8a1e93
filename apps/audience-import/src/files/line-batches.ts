import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of a byte or text stream, cut as readline cuts them (`\n`, `\r\n` and a lone `\r` end a
 * line, a last line without an end counts, an end at the very end adds no empty line), handed over
 * per chunk read rather than one promise per line: a million-line file is read with a hundred
 * awaits, not a million.
 */
export async function* lineBatches(input: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of input) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const { lines, next } = cut(text, false);
    rest = text.slice(next);
    if (lines.length > 0) yield lines;
  }
  const text = rest + decoder.end();
  const { lines, next } = cut(text, true);
  if (next < text.length) lines.push(text.slice(next));
  if (lines.length > 0) yield lines;
}

/** Complete lines of `text`, and where the incomplete rest starts. A `\r` at the very end waits for the next chunk unless `final`. */
function cut(text: string, final: boolean): { lines: string[]; next: number } {
  const lines: string[] = [];
  let start = 0;
  let lf = text.indexOf('\n');
  let cr = text.indexOf('\r');
  for (;;) {
    if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
    if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    if (lf === -1 && cr === -1) break;
    if (cr === -1 || (lf !== -1 && lf < cr)) {
      lines.push(text.slice(start, lf));
      start = lf + 1;
      continue;
    }
    if (cr + 1 === text.length && !final) break; // a \n may follow in the next chunk
    lines.push(text.slice(start, cr));
    start = text.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
  }
  return { lines, next: start };
}
