/*
 * docker-compose.yml stays true to the code: each service runs its own entry point on its own
 * port, every variable given to the app image is one the code reads, and the files it names exist.
 * Static checks only (no Docker needed).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { SERVICE_DATABASE_ROLES } from '@audience-hub/persistence';

const root = path.resolve(__dirname, '../../..');
const SERVICES = ['ims', 'id-reconciliation', 'audience-import', 'audience-export'] as const;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.nx', 'coverage']);

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | { target?: number | string; published?: number | string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  volumes?: string[];
}

const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services?: Record<string, ComposeService>;
};
const services = compose.services ?? {};

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value == null ? '' : String(value)]));
}

function commandOf(service: ComposeService): string {
  return Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
}

/** Host and container ports of each published port: "3000:3000", "127.0.0.1:3000:3000" or the long form. */
function publishedPorts(service: ComposeService): Array<{ host: number; container: number }> {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { host: Number(port.published), container: Number(port.target) };
    const parts = String(port).split('/')[0].split(':');
    const container = Number(parts[parts.length - 1]);
    return { host: parts.length > 1 ? Number(parts[parts.length - 2]) : Number.NaN, container };
  });
}

function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep?.condition]));
}

function dockerfileOf(service: ComposeService): string | undefined {
  if (!service.build) return undefined;
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  return path.join(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
}

/** Services that run our image (they build it from the Dockerfile, or reuse the image those build). */
function appImageServices(): string[] {
  const builtImages = new Set(
    Object.values(services)
      .filter((s) => s.build)
      .map((s) => s.image)
      .filter(Boolean),
  );
  return Object.keys(services).filter((name) => services[name].build || builtImages.has(services[name].image));
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

/**
 * Every identifier and string literal in the non-test TypeScript under apps/ and libs/: a variable
 * is "read" when its exact name appears in code (`process.env.X`, `env['X']`, a zod config key `X:`),
 * not merely in a comment.
 */
function namesInSources(): Set<string> {
  const names = new Set<string>();
  const files = ['apps', 'libs'].flatMap((top) => walk(path.join(root, top)));
  for (const file of files.filter((f) => !/\.(int-)?spec\.ts$/.test(f))) {
    const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) || ts.isStringLiteralLike(node)) names.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return names;
}

describe('docker-compose.yml', () => {
  it('has the four services, kafka, postgres and setup', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining([...SERVICES, 'kafka', 'postgres', 'setup']));
  });

  it('builds the app image from a Dockerfile that exists', () => {
    const dockerfiles = appImageServices()
      .map((name) => dockerfileOf(services[name]))
      .filter(Boolean) as string[];
    expect(dockerfiles.length).toBeGreaterThan(0);
    const missing = dockerfiles.filter((dockerfile) => !existsSync(dockerfile)).map((dockerfile) => path.relative(root, dockerfile));
    expect(missing).toEqual([]);
    expect(appImageServices()).toEqual(expect.arrayContaining([...SERVICES, 'setup']));
  });

  describe.each(SERVICES)('%s', (name) => {
    const service = services[name] ?? {};
    const env = environmentOf(service);

    it(`runs dist/apps/${name}/src/main.js, built from apps/${name}/src/main.ts`, () => {
      expect(commandOf(service)).toMatch(new RegExp(`(^|\\s)node dist/apps/${name}/src/main\\.js(\\s|$)`));
      expect(existsSync(path.join(root, 'apps', name, 'src', 'main.ts'))).toBe(true);
    });

    it('publishes its PORT, which is the default port of its service descriptor', () => {
      const descriptor = readFileSync(path.join(root, 'apps', name, 'src', 'service.ts'), 'utf8');
      const defaultPort = Number(/defaultPort:\s*(\d+)/.exec(descriptor)?.[1]);
      expect(defaultPort).toBeGreaterThan(0);
      expect(Number(env.PORT)).toBe(defaultPort);
      expect(publishedPorts(service)).toEqual([{ host: defaultPort, container: defaultPort }]);
      expect(env.HOST).toBe('0.0.0.0');
    });

    it("connects to Postgres as its own role, to Kafka's compose-network listener", () => {
      const url = new URL(env.DATABASE_URL.replace(/\$\{[^}]*\}/g, 'password'));
      expect(url.username).toBe(SERVICE_DATABASE_ROLES[name]);
      expect(url.hostname).toBe('postgres');
      const advertised = environmentOf(services.kafka ?? {}).KAFKA_ADVERTISED_LISTENERS ?? '';
      for (const broker of env.KAFKA_BROKERS.split(',')) expect(advertised).toContain(`//${broker.trim()}`);
    });

    it('starts after setup succeeded and reports health from /health/ready', () => {
      expect(dependsOn(service)).toMatchObject({ setup: 'service_completed_successfully' });
      const test = service.healthcheck?.test;
      expect(Array.isArray(test) ? test.join(' ') : test).toContain(`:${env.PORT}/health/ready`);
    });
  });

  it('gives the app image only environment variables the code reads', () => {
    const read = namesInSources();
    const unread = appImageServices().flatMap((name) =>
      Object.keys(environmentOf(services[name]))
        .filter((variable) => !read.has(variable))
        .map((variable) => `${name}: ${variable} is read nowhere under apps/ or libs/`),
    );
    expect(unread).toEqual([]);
  });

  it('runs setup after kafka and postgres are healthy, with scripts whose sources exist', () => {
    const setup = services.setup ?? {};
    expect(dependsOn(setup)).toMatchObject({ kafka: 'service_healthy', postgres: 'service_healthy' });
    const scripts = [...commandOf(setup).matchAll(/dist\/(\S+)\.js/g)].map((match) => `${match[1]}.ts`);
    expect(scripts).toEqual(expect.arrayContaining(['libs/persistence/src/bin/prepare-database.ts', 'libs/messaging/src/bin/create-topics.ts']));
    const problems = scripts.flatMap((script) => [
      ...(/^libs\/[^/]+\/src\/bin\/[^/]+\.ts$/.test(script) ? [] : [`${script} is not a libs/<lib>/src/bin/ script`]),
      ...(existsSync(path.join(root, script)) ? [] : [`${script} does not exist`]),
    ]);
    expect(problems).toEqual([]);
  });

  it('has kafka and postgres check their own health', () => {
    expect(services.kafka?.healthcheck?.test).toBeDefined();
    expect(services.postgres?.healthcheck?.test).toBeDefined();
  });

  describe('prometheus and grafana', () => {
    /** Host file or directory (relative to the repo) of each bind mount, by its path in the container. */
    const mounts = (service: ComposeService): Record<string, string> =>
      Object.fromEntries((service.volumes ?? []).map((volume) => volume.split(':')).map(([host, container]) => [container, path.join(root, host)]));
    const prometheus = services.prometheus ?? {};
    const grafana = services.grafana ?? {};

    it('mount files that exist', () => {
      const missing = [...Object.values(mounts(prometheus)), ...Object.values(mounts(grafana))].filter((file) => !existsSync(file));
      expect(missing.map((file) => path.relative(root, file))).toEqual([]);
    });

    it('has Prometheus scrape each service on its compose port as job audience-hub, with the rules the test runs', () => {
      const configFile = /--config\.file=(\S+)/.exec(commandOf(prometheus))?.[1] ?? '';
      const config = parse(readFileSync(mounts(prometheus)[configFile], 'utf8')) as {
        rule_files: string[];
        scrape_configs: Array<{ job_name: string; honor_labels?: boolean; static_configs: Array<{ targets: string[]; labels: { service: string } }> }>;
      };
      const job = config.scrape_configs.find((scrape) => scrape.job_name === 'audience-hub');
      expect(job?.honor_labels).toBe(true);
      const targets = Object.fromEntries((job?.static_configs ?? []).flatMap((entry) => entry.targets.map((target) => [entry.labels.service, target])));
      expect(targets).toEqual(Object.fromEntries(SERVICES.map((name) => [name, `${name}:${environmentOf(services[name]).PORT}`])));
      expect(config.rule_files.map((file) => path.relative(root, mounts(prometheus)[file] ?? file))).toEqual(['deploy/grafana/alerts.rules.yml']);
    });

    it('has Grafana provision the dashboard and the Prometheus data source its panels name', () => {
      const provisioning = mounts(grafana)['/etc/grafana/provisioning'];
      const datasources = parse(readFileSync(path.join(provisioning, 'datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; url: string }> };
      const providers = parse(readFileSync(path.join(provisioning, 'dashboards/audience-hub.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
      const dashboardPath = Object.keys(mounts(grafana)).find((container) => container.endsWith('.dashboard.json'))!;
      expect(path.dirname(dashboardPath)).toBe(providers.providers[0].options.path);
      const dashboard = JSON.parse(readFileSync(mounts(grafana)[dashboardPath], 'utf8')) as { panels: Array<{ type: string; datasource?: { uid: string } }> };
      const uids = new Set(dashboard.panels.filter((panel) => panel.type !== 'row').map((panel) => panel.datasource?.uid));
      expect([...uids]).toEqual([datasources.datasources[0].uid]);
      expect(datasources.datasources[0].url).toBe(`http://prometheus:${publishedPorts(prometheus)[0].container}`);
    });
  });
});
