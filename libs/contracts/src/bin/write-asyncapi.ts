// Writes docs/asyncapi.yaml (run from the repository root, or pass the output path).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderAsyncApi } from '../asyncapi';

const target = resolve(process.argv[2] ?? 'docs/asyncapi.yaml');
writeFileSync(target, renderAsyncApi());
console.log(`wrote ${target}`);
