/*
 * Module boundaries (STYLE.md "Layout"), checked over the real sources:
 * - a lib never imports from an app;
 * - libs/contracts imports nothing of ours (no @audience-hub/* lib);
 * - nobody deep-imports a lib: only `@audience-hub/<lib>` (its src/index.ts) is a door, never
 *   `@audience-hub/<lib>/...` nor a relative path reaching into `libs/<other>/`; inside a lib, its own
 *   alias is not used either (it would import the lib's index from within: a cycle);
 * - an app never imports another app's files;
 * - each project.json carries the Nx tags of its kind (apps `type:app`, libs `type:lib`);
 * - a controller (`*.controller.ts`) neither imports nor injects a `*Repository`: it maps HTTP to a
 *   use case, which owns the reads and writes (README "Where things go").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '../../..');
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.nx', 'coverage']);
const ALIAS = '@audience-hub/';

interface SourceFile {
  /** Workspace-relative, forward slashes: `apps/ims/src/main.ts`. */
  file: string;
  source: string;
}

/** `{ kind: 'app', name: 'ims' }` for `apps/ims/...`; undefined outside apps/ and libs/. */
function ownerOf(file: string): { kind: 'app' | 'lib'; name: string } | undefined {
  const [top, name] = file.split('/');
  if (!name) return undefined;
  if (top === 'apps') return { kind: 'app', name };
  if (top === 'libs') return { kind: 'lib', name };
  return undefined;
}

/** Every module specifier a file names: static and dynamic imports, re-exports, require(). */
function importsOf(source: string): Array<{ specifier: string; line: number }> {
  return ts.preProcessFile(source, true, true).importedFiles.map(({ fileName, pos }) => ({
    specifier: fileName,
    line: source.slice(0, pos).split('\n').length,
  }));
}

/** The boundary rules; each violation reads `<file>:<line> imports '<specifier>': <why>`. */
function findBoundaryViolations(files: SourceFile[]): string[] {
  const violations: string[] = [];
  for (const { file, source } of files) {
    const owner = ownerOf(file);
    if (!owner) continue;
    for (const { specifier, line } of importsOf(source)) {
      const report = (why: string) => violations.push(`${file}:${line} imports '${specifier}': ${why}`);
      if (specifier.startsWith(ALIAS)) {
        const [lib, ...rest] = specifier.slice(ALIAS.length).split('/');
        if (rest.length > 0) report(`deep import into lib "${lib}"; import from '${ALIAS}${lib}' (its src/index.ts) only`);
        if (owner.kind === 'lib' && owner.name === 'contracts') report('libs/contracts must not import any @audience-hub/* lib');
        else if (owner.kind === 'lib' && owner.name === lib) report('a lib importing its own door (src/index.ts) makes a cycle; use a relative path');
        continue;
      }
      if (!specifier.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const reached = ownerOf(target);
      if (!reached && target.startsWith('..')) report('reaches outside the workspace');
      if (!reached || (reached.kind === owner.kind && reached.name === owner.name)) continue;
      if (owner.kind === 'lib' && reached.kind === 'app') report(`a lib must never import from an app (apps/${reached.name})`);
      else if (owner.kind === 'app' && reached.kind === 'app') report(`an app must not import another app's files (apps/${reached.name})`);
      else if (reached.kind === 'lib') {
        report(
          owner.kind === 'lib' && owner.name === 'contracts'
            ? `libs/contracts must not import other libs (libs/${reached.name})`
            : `relative path into libs/${reached.name}; import from '${ALIAS}${reached.name}' instead`,
        );
      }
    }
  }
  return violations;
}

const REPOSITORY = /Repository$/;

/** Controllers reaching a repository themselves; each reads `<file>:<line> <imports|injects> <Name>: <why>`. */
function findControllerRepositoryUses(files: SourceFile[]): string[] {
  const violations: string[] = [];
  for (const { file, source } of files) {
    if (!file.endsWith('.controller.ts') || !ownerOf(file)) continue;
    const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
    const report = (node: ts.Node, what: string, name: string) =>
      violations.push(`${file}:${sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${what} ${name}: a controller calls a use case, never a repository`);
    const visit = (node: ts.Node): void => {
      if (ts.isImportSpecifier(node)) {
        const name = (node.propertyName ?? node.name).text;
        if (REPOSITORY.test(name)) report(node, 'imports', name);
      } else if (ts.isImportClause(node) && node.name && REPOSITORY.test(node.name.text)) {
        report(node, 'imports', node.name.text);
      } else if (ts.isNamespaceImport(node) && REPOSITORY.test(node.name.text)) {
        report(node, 'imports', node.name.text);
      } else if (ts.isConstructorDeclaration(node)) {
        for (const parameter of node.parameters) {
          const injected = [
            parameter.type && ts.isTypeReferenceNode(parameter.type) ? parameter.type.typeName.getText(sourceFile) : undefined,
            ...(ts.getDecorators(parameter) ?? []).flatMap((decorator) =>
              ts.isCallExpression(decorator.expression) ? decorator.expression.arguments.map((argument) => argument.getText(sourceFile)) : [],
            ),
          ];
          for (const name of injected) if (name && REPOSITORY.test(name)) report(parameter, 'injects', name);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return violations;
}

function walk(dir: string, found: string[] = []): string[] {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, found);
    else if (entry.isFile() && entry.name.endsWith('.ts')) found.push(full);
  }
  return found;
}

function workspaceSources(): SourceFile[] {
  return ['apps', 'libs']
    .flatMap((top) => walk(path.join(root, top)))
    .map((full) => ({ file: path.relative(root, full).split(path.sep).join('/'), source: readFileSync(full, 'utf8') }));
}

function projectDirs(top: 'apps' | 'libs'): string[] {
  return readdirSync(path.join(root, top), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !SKIPPED_DIRS.has(entry.name))
    .map((entry) => entry.name)
    .sort();
}

describe('module boundaries', () => {
  describe('the rules', () => {
    const check = (file: string, source: string) => findBoundaryViolations([{ file, source }]);

    it('lets apps and libs use a lib through its alias', () => {
      expect(check('apps/ims/src/main.ts', "import { runService } from '@audience-hub/platform';")).toEqual([]);
      expect(check('libs/messaging/src/index.ts', "export * from '@audience-hub/contracts';")).toEqual([]);
      expect(check('apps/ims/src/x/y.ts', "import { imsService } from '../../service';")).toEqual([]);
    });

    it('flags a lib importing from an app', () => {
      expect(check('libs/platform/src/a.ts', "import { imsService } from '../../../apps/ims/src/service';")).toEqual([
        "libs/platform/src/a.ts:1 imports '../../../apps/ims/src/service': a lib must never import from an app (apps/ims)",
      ]);
    });

    it('flags contracts importing any of our libs', () => {
      expect(check('libs/contracts/src/a.ts', "import type { Kafka } from '@audience-hub/messaging';")).toHaveLength(1);
      expect(check('libs/contracts/src/a.ts', "const m = require('../../messaging/src');")).toHaveLength(1);
    });

    it('flags deep imports, by alias or by relative path', () => {
      expect(check('apps/ims/src/a.ts', "import { x } from '@audience-hub/messaging/src/outbox/outbox.writer';")).toHaveLength(1);
      expect(check('libs/testing/src/a.ts', "export { y } from '../../persistence/src/copy';")).toHaveLength(1);
      expect(check('apps/ims/src/a.ts', "const z = await import('../../platform/src/index');")).toHaveLength(1);
    });

    it('flags a lib importing itself through its alias', () => {
      expect(check('libs/messaging/src/a.ts', "import { x } from '@audience-hub/messaging';")).toHaveLength(1);
    });

    it("flags an app importing another app's files", () => {
      expect(check('apps/audience-import/src/a.ts', "import { s } from '../../ims/src/service';")).toEqual([
        "apps/audience-import/src/a.ts:1 imports '../../ims/src/service': an app must not import another app's files (apps/ims)",
      ]);
    });

    it('ignores specifiers inside comments', () => {
      expect(check('libs/contracts/src/a.ts', "// import { x } from '@audience-hub/messaging';\nexport const a = 1;")).toEqual([]);
    });
  });

  describe('controllers and repositories', () => {
    const check = (file: string, source: string) => findControllerRepositoryUses([{ file, source }]);

    it('lets a controller inject use cases', () => {
      expect(
        check('apps/ims/src/a/a.controller.ts', "import { GetAUseCase } from './usecases/get-a.usecase';\nclass C { constructor(private readonly getA: GetAUseCase) {} }"),
      ).toEqual([]);
    });

    it('flags a controller importing or injecting a repository', () => {
      expect(check('apps/ims/src/a/a.controller.ts', "import { ARepository } from './a.repository';\nclass C {\n  constructor(private readonly a: ARepository) {}\n}")).toEqual([
        'apps/ims/src/a/a.controller.ts:1 imports ARepository: a controller calls a use case, never a repository',
        'apps/ims/src/a/a.controller.ts:3 injects ARepository: a controller calls a use case, never a repository',
      ]);
      expect(check('libs/audit/src/a.controller.ts', 'class C { constructor(@Inject(AuditRepository) private readonly a: unknown) {} }')).toHaveLength(1);
      expect(check('apps/ims/src/a/a.controller.ts', "import type { BRepository as B } from './b';")).toHaveLength(1);
    });

    it('leaves other files alone', () => {
      expect(check('apps/ims/src/a/a.usecase.ts', "import { ARepository } from './a.repository';")).toEqual([]);
    });
  });

  it('holds for every .ts file under apps/ and libs/', () => {
    const files = workspaceSources();
    expect(files.length).toBeGreaterThan(0);
    const violations = [...findBoundaryViolations(files), ...findControllerRepositoryUses(files)];
    expect(violations.length ? `\n${violations.join('\n')}\n` : 'no violations').toBe('no violations');
  });

  it('gives every project a project.json with the Nx tags of its kind', () => {
    const problems: string[] = [];
    const expected = { apps: 'type:app', libs: 'type:lib' } as const;
    for (const top of ['apps', 'libs'] as const) {
      for (const name of projectDirs(top)) {
        const file = `${top}/${name}/project.json`;
        if (!existsSync(path.join(root, file))) {
          problems.push(`${file}: missing`);
          continue;
        }
        const project = JSON.parse(readFileSync(path.join(root, file), 'utf8')) as { name?: string; tags?: string[] };
        const tags = project.tags ?? [];
        if (project.name !== name) problems.push(`${file}: name is ${JSON.stringify(project.name)}, expected "${name}"`);
        if (!tags.includes(expected[top])) problems.push(`${file}: tags ${JSON.stringify(tags)} lack "${expected[top]}"`);
        const wrongType = tags.filter((tag) => tag.startsWith('type:') && tag !== expected[top]);
        if (wrongType.length) problems.push(`${file}: tags ${JSON.stringify(wrongType)} contradict "${expected[top]}"`);
        if (top === 'apps' && !tags.includes(`scope:${name}`)) problems.push(`${file}: tags ${JSON.stringify(tags)} lack "scope:${name}"`);
        if (top === 'libs' && name === 'contracts' && !tags.includes('scope:contracts')) problems.push(`${file}: tags lack "scope:contracts"`);
      }
    }
    expect(problems.length ? `\n${problems.join('\n')}\n` : 'all tagged').toBe('all tagged');
  });
});
