// Writes libs/contracts/TOPICS.md (run from the repository root, or pass the output path).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderTopicReference } from '../topic-reference';

const target = resolve(process.argv[2] ?? 'libs/contracts/TOPICS.md');
writeFileSync(target, renderTopicReference());
console.log(`wrote ${target}`);
