import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { lineBatches } from './line-batches';

async function viaReadline(chunks: Buffer[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from(chunks), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

async function viaBatches(chunks: Buffer[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of lineBatches(Readable.from(chunks))) lines.push(...batch);
  return lines;
}

/** Every way of cutting `bytes` into two or three chunks. */
function cuts(bytes: Buffer): Buffer[][] {
  const all: Buffer[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) {
    all.push([bytes.subarray(0, i), bytes.subarray(i)]);
    for (let j = i + 1; j < bytes.length; j++) all.push([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
  }
  return all;
}

describe('lineBatches', () => {
  it.each([
    ['LF endings', 'a 1 \nb 2 \n'],
    ['no end on the last line', 'a 1\nb 2'],
    ['CRLF endings', 'a 1\r\nb 2\r\n'],
    ['a lone CR', 'a\rb\r\nc'],
    ['a CR at the very end', 'a\r'],
    ['empty lines', '\n\na\n\r\n\n'],
    ['multi-byte characters', 'é 1\nß€ 2\r\n𝄞'],
    ['nothing', ''],
  ])('cuts lines as readline does: %s, wherever the chunks end', async (_, text) => {
    const bytes = Buffer.from(text);
    const expected = await viaReadline([bytes]);
    for (const chunks of cuts(bytes)) expect(await viaBatches(chunks)).toEqual(expected);
  });

  it('hands the lines over per chunk', async () => {
    const batches: string[][] = [];
    for await (const batch of lineBatches(Readable.from([Buffer.from('a\nb\nc'), Buffer.from('d\ne\n')]))) batches.push(batch);
    expect(batches).toEqual([
      ['a', 'b'],
      ['cd', 'e'],
    ]);
  });
});
