import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeService, renderOpenApi, SERVICES } from './services';

/** `npm run openapi`: writes docs/openapi/<service>.json, the documents each service serves at /docs/openapi.json. */
async function main(): Promise<void> {
  const directory = join(process.cwd(), 'docs', 'openapi');
  mkdirSync(directory, { recursive: true });
  for (const { descriptor, modules } of SERVICES) {
    const document = await describeService(descriptor, modules);
    writeFileSync(join(directory, `${descriptor.name}.json`), renderOpenApi(document));
    process.stdout.write(`docs/openapi/${descriptor.name}.json: ${Object.keys(document.paths).length} paths\n`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
