/*
 * deploy/k8s (the kustomize base and the `local` overlay): both render with `kubectl kustomize`, every
 * object passes the Kubernetes and KEDA API schemas (kubernetes-models, @kubernetes-models/keda), and the
 * manifests agree with the code:
 * - every variable a service reads (the keys of its zod config schema, composed as its modules.ts does) is
 *   set for its Deployment, directly or through envFrom, except the few LEFT_TO_DEFAULTS below, and no
 *   variable is set that the service does not read; in the local overlay the resolved environment passes
 *   the service's own schema;
 * - ports, probes, security context, writable volumes, drain time, Service, PodDisruptionBudget;
 * - autoscaling: a KEDA ScaledObject on the consumer groups' lag (plus a CPU trigger) for the three
 *   consumer services, a CPU HPA for the IMS, never both on one Deployment, at most one replica per
 *   partition;
 * - the migration Job runs `main.js migrate` for each service with that service's DATABASE_URL and
 *   DATABASE_SCHEMA, and the services keep DATABASE_MIGRATIONS=verify;
 * - no Secret in the base; the local overlay's generated Secrets hold exactly the keys the operator
 *   is told to create.
 * Needs kubectl (Debian's kubernetes-client, kubectl 1.20, is enough); KUBECTL names another binary.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { baseConfigSchema, loadConfig, type ServiceDescriptor } from '@audience-hub/platform';
import { SERVICE_DATABASE_ROLES } from '@audience-hub/persistence';
import { heapCapOptions } from '@audience-hub/testing';
import { imsService } from '../../apps/ims/src/service';
import { imsConfigSchema, tryParseMasterKey } from '../../apps/ims/src/config';
import { idReconciliationService } from '../../apps/id-reconciliation/src/service';
import { audienceImportService } from '../../apps/audience-import/src/service';
import { importConfigSchema } from '../../apps/audience-import/src/config';
import { audienceExportService } from '../../apps/audience-export/src/service';
import { audienceExportConfigSchema } from '../../apps/audience-export/src/config';

const root = path.resolve(__dirname, '../..');
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const BASE = 'deploy/k8s/base';
const LOCAL = 'deploy/k8s/overlays/local';

/** Partitions per topic (`npm run topics`, KAFKA_TOPIC_PARTITIONS): the most consumers a group can use. */
const PARTITIONS = 6;

/**
 * Variables the manifests leave to the code's default on purpose, each with why. Every other key of a
 * service's config schema must be set for its Deployment.
 */
const LEFT_TO_DEFAULTS: Record<string, string> = {
  IMS_JWKS_URL: 'follows from IMS_URL (IMS_URL/ims/keys); setting both would let the two disagree',
  IMS_BOOTSTRAP_ORG_ID: 'the bootstrap org gets a random id, like any org the IMS creates; an operator who needs a fixed one adds it to ims-config',
};

/** Variables set for the runtime rather than read by the service's config schema, each with why. */
const FOR_THE_RUNTIME: Record<string, string> = {
  NODE_OPTIONS: "V8's heap cap (--max-old-space-size, with --max-semi-space-size) below the container's memory limit: uncapped, Node 24 grows the heap far past the work's needs",
};

/** Mebibytes of a Kubernetes memory quantity (Mi or Gi). */
const mebibytes = (quantity: string): number => {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected memory quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
};

/**
 * Drain on SIGTERM (libs/platform/src/service-lifecycle.ts): the consumer's commit wait after its batches
 * in hand (KeyOrderedScheduler.drain, 5 s) and the outbox relay's drain (OutboxRelay.stop, 10 s), after
 * the preStop sleep. The grace period must cover them and leave room for the batches in hand.
 */
const DRAIN_BOUNDED_SECONDS = 5 + 10;
const BATCHES_IN_HAND_MIN_SECONDS = 10;

interface ServiceCase {
  descriptor: ServiceDescriptor;
  /** The schema runService parses: the base one, extended with the service's own (as its modules.ts does). */
  schema: z.ZodObject;
  /** The identifier modules.ts passes as configSchema, if any (checked against the file, so this table follows it). */
  mainConfigSchema?: string;
  /** Keys of <service>-secrets, which the operator creates (and the local overlay generates). */
  secretKeys: string[];
  autoscaler: 'hpa' | 'keda';
  /** Keeps the identity replica, read by <KAFKA_CONSUMER_GROUP>.identity-links. */
  identityReplica: boolean;
}

const SERVICES: ServiceCase[] = [
  {
    descriptor: imsService,
    schema: baseConfigSchema(imsService).extend(imsConfigSchema.shape),
    mainConfigSchema: 'imsConfigSchema',
    secretKeys: ['DATABASE_URL', 'IMS_BOOTSTRAP_CLIENT_SECRET', 'IMS_MASTER_KEY'],
    autoscaler: 'hpa',
    identityReplica: false,
  },
  {
    descriptor: idReconciliationService,
    schema: baseConfigSchema(idReconciliationService),
    secretKeys: ['DATABASE_URL'],
    autoscaler: 'keda',
    identityReplica: false,
  },
  {
    descriptor: audienceImportService,
    schema: baseConfigSchema(audienceImportService).extend(importConfigSchema.shape),
    mainConfigSchema: 'importConfigSchema',
    secretKeys: ['DATABASE_URL'],
    autoscaler: 'keda',
    identityReplica: true,
  },
  {
    descriptor: audienceExportService,
    schema: baseConfigSchema(audienceExportService).extend(audienceExportConfigSchema.shape),
    mainConfigSchema: 'audienceExportConfigSchema',
    secretKeys: ['DATABASE_URL'],
    autoscaler: 'keda',
    identityReplica: true,
  },
];

// ---- the little of the Kubernetes object model this test reads ----

interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}
interface KeyRef {
  name: string;
  key: string;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef };
}
interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  enableServiceLinks?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: Array<{ name: string; emptyDir?: object }>;
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}
interface Selector {
  matchLabels?: Record<string, string>;
}
interface KafkaTrigger {
  type: string;
  metricType?: string;
  metadata: Record<string, string>;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  data?: Record<string, string>;
  // Each kind's spec, read by the tests that know the kind.
  spec?: {
    replicas?: number;
    selector?: Selector;
    template?: PodTemplate;
    ports?: Array<{ name?: string; port: number; targetPort?: string | number }>;
    maxUnavailable?: number | string;
    minAvailable?: number | string;
    scaleTargetRef?: { apiVersion?: string; kind?: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: Array<{ type: string; resource?: { name: string } }>;
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers?: KafkaTrigger[];
  };
}

// ---- rendering ----

const renders = new Map<string, K8sObject[] | Error>();

/** `kubectl kustomize <dir>`, parsed; fails (never skips) when kubectl is missing. */
function render(dir: string): K8sObject[] {
  let result = renders.get(dir);
  if (!result) {
    const run = spawnSync(KUBECTL, ['kustomize', dir], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      result = new Error(
        `${KUBECTL} not found: this test renders deploy/k8s with \`kubectl kustomize\`. Install Debian's kubernetes-client ` +
          '(DEBIAN_FRONTEND=noninteractive apt-get install -y kubernetes-client), or set KUBECTL to a kubectl binary.',
      );
    } else if (run.error || run.status !== 0) {
      result = new Error(`${KUBECTL} kustomize ${dir} failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`);
    } else {
      result = parseAllDocuments(run.stdout)
        .map((document) => document.toJS() as K8sObject | null)
        .filter((object): object is K8sObject => object !== null);
    }
    renders.set(dir, result);
  }
  if (result instanceof Error) throw result;
  return result;
}

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);

function one(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((object) => object.kind === kind && object.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

const deploymentOf = (objects: K8sObject[], service: ServiceCase) => one(objects, 'Deployment', service.descriptor.name);
const podOf = (object: K8sObject): PodSpec => object.spec!.template!.spec;
const mainContainer = (object: K8sObject): Container => podOf(object).containers[0];

/** Where a variable comes from, and its value when the render holds it (a Secret the operator creates does not). */
interface Resolved {
  source: string;
  value?: string;
}

/**
 * The container's environment as Kubernetes builds it: envFrom sources in order, then env. A Secret
 * missing from the render is taken as the operator's, with `operatorSecrets` keys (base only).
 */
function resolveEnv(container: Container, objects: K8sObject[], operatorSecrets?: Map<string, string[]>): Map<string, Resolved> {
  const env = new Map<string, Resolved>();
  const dataOf = (kind: 'ConfigMap' | 'Secret', name: string): Record<string, string | undefined> => {
    const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
    if (found) {
      const data = found.data ?? {};
      if (kind === 'ConfigMap') return data;
      return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
    }
    const keys = kind === 'Secret' ? operatorSecrets?.get(name) : undefined;
    if (!keys) throw new Error(`container ${container.name} reads ${kind} ${name}, which the render does not hold`);
    return Object.fromEntries(keys.map((key) => [key, undefined]));
  };
  for (const from of container.envFrom ?? []) {
    expect(from.prefix).toBeUndefined();
    const [kind, name] = from.configMapRef ? (['ConfigMap', from.configMapRef.name] as const) : (['Secret', from.secretRef!.name] as const);
    for (const [key, value] of Object.entries(dataOf(kind, name))) {
      // Two sources setting one variable: the later wins silently. Not here.
      if (env.has(key)) throw new Error(`${container.name}: ${key} comes from both ${env.get(key)!.source} and ${kind} ${name}`);
      env.set(key, { source: `${kind} ${name}`, value });
    }
  }
  for (const variable of container.env ?? []) {
    if (env.has(variable.name)) throw new Error(`${container.name}: ${variable.name} set in env and by ${env.get(variable.name)!.source}`);
    const ref = variable.valueFrom?.configMapKeyRef ?? variable.valueFrom?.secretKeyRef;
    if (ref) {
      const kind = variable.valueFrom!.configMapKeyRef ? 'ConfigMap' : 'Secret';
      const data = dataOf(kind, ref.name);
      if (!(ref.key in data)) throw new Error(`${container.name}: ${variable.name} reads key ${ref.key}, which ${kind} ${ref.name} lacks`);
      env.set(variable.name, { source: `${kind} ${ref.name} key ${ref.key}`, value: data[ref.key] });
    } else {
      env.set(variable.name, { source: 'env', value: variable.value ?? '' });
    }
  }
  return env;
}

/** The Secret names each Deployment reads that the base leaves to the operator, with their keys. */
const operatorSecrets = new Map(SERVICES.map((service) => [`${service.descriptor.name}-secrets`, service.secretKeys]));

const envOf = (objects: K8sObject[], service: ServiceCase, dir: string) =>
  resolveEnv(mainContainer(deploymentOf(objects, service)), objects, dir === BASE ? operatorSecrets : undefined);

function valuesOf(env: Map<string, Resolved>): Record<string, string> {
  return Object.fromEntries([...env].map(([key, { value }]) => [key, value ?? '']));
}

function selects(selector: Selector | undefined, labels: Record<string, string> | undefined): boolean {
  const wanted = Object.entries(selector?.matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

// ---- the tests ----

describe.each([BASE, LOCAL])('%s', (dir) => {
  test('renders with kubectl kustomize, every object with the API version this deployment is written for', () => {
    const expected: Record<string, string> = {
      Namespace: 'v1',
      ConfigMap: 'v1',
      Secret: 'v1',
      Service: 'v1',
      Deployment: 'apps/v1',
      Job: 'batch/v1',
      PodDisruptionBudget: 'policy/v1',
      HorizontalPodAutoscaler: 'autoscaling/v2',
      ScaledObject: 'keda.sh/v1alpha1',
    };
    const objects = render(dir);
    for (const object of objects) expect(`${object.kind} ${object.metadata.name}: ${object.apiVersion}`).toBe(`${object.kind} ${object.metadata.name}: ${expected[object.kind]}`);
    for (const service of SERVICES) {
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget']) one(objects, kind, service.descriptor.name);
    }
    one(objects, 'Job', 'audience-hub-migrate');
  });

  test('every object passes the Kubernetes and KEDA API schemas (kubernetes-models)', () => {
    const objects = render(dir);
    // A current kustomize wraps a Secret's long base64 values every 76 characters; the API server's decoder
    // (Go's base64) skips the line breaks, the schema's "byte" format does not: join them first.
    const unwrapped = objects.map((object) =>
      object.kind === 'Secret' && object.data
        ? { ...object, data: Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, value.replace(/\s+/g, '')])) }
        : object,
    );
    const run = spawnSync(process.execPath, [path.join(__dirname, 'validate-models.mjs')], {
      cwd: root,
      input: JSON.stringify(unwrapped),
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`validate-models.mjs failed: ${run.stderr}`);
    const failures = (JSON.parse(run.stdout) as Array<{ index: number; error: string }>).map(
      ({ index, error }) => `${objects[index].kind} ${objects[index].metadata.name}: ${error}`,
    );
    expect(failures).toEqual([]);
  });

  test.each(SERVICES.map((service) => [service.descriptor.name, service] as const))('%s: every variable the service reads is set, and none it does not read', (_name, service) => {
    const env = envOf(render(dir), service, dir);
    const keys = Object.keys(service.schema.shape);
    const missing = keys.filter((key) => !env.has(key) && !(key in LEFT_TO_DEFAULTS));
    expect(missing).toEqual([]);
    const unread = [...env.keys()].filter((key) => !keys.includes(key) && !(key in FOR_THE_RUNTIME));
    expect(unread).toEqual([]);
    for (const key of Object.keys(LEFT_TO_DEFAULTS)) expect(env.has(key)).toBe(false);
    // Never migrate at start: the migration Job does (README, Migrations).
    expect(env.get('DATABASE_MIGRATIONS')?.value).toBe('verify');
    // The secrets come from the service's Secret (its name hashed when generated), never from a ConfigMap.
    const secret = new RegExp(`^Secret ${service.descriptor.name}-secrets(-[a-z0-9]+)?$`);
    for (const key of service.secretKeys) expect(`${key}: ${env.get(key)?.source}`).toMatch(new RegExp(`^${key}: ${secret.source.slice(1)}`));
  });

  test.each(SERVICES.map((service) => [service.descriptor.name, service] as const))(
    '%s: command, port, probes, resources, security context, writable volumes, drain time',
    (_name, service) => {
      const objects = render(dir);
      const deployment = deploymentOf(objects, service);
      const pod = podOf(deployment);
      const container = mainContainer(deployment);
      const env = envOf(objects, service, dir);
      const { name, defaultPort } = service.descriptor;

      // The autoscaler owns the replica count: an apply must not reset it.
      expect(deployment.spec!.replicas).toBeUndefined();
      expect(pod.containers).toHaveLength(1);
      expect([...(container.command ?? []), ...(container.args ?? [])]).toEqual(['node', `dist/apps/${name}/src/main.js`]);
      expect(env.get('PORT')!.value).toBe(String(defaultPort));
      expect(env.get('HOST')!.value).toBe('0.0.0.0');
      const http = container.ports!.find((port) => port.name === 'http')!;
      expect(http.containerPort).toBe(defaultPort);
      const probe = (p: Probe | undefined) => [p?.httpGet?.path, p?.httpGet?.port === 'http' ? defaultPort : p?.httpGet?.port];
      expect(probe(container.startupProbe)).toEqual(['/health/live', defaultPort]);
      expect(probe(container.livenessProbe)).toEqual(['/health/live', defaultPort]);
      expect(probe(container.readinessProbe)).toEqual(['/health/ready', defaultPort]);

      for (const bound of ['requests', 'limits'] as const) {
        expect(container.resources?.[bound]?.cpu).toBeDefined();
        expect(container.resources?.[bound]?.memory).toBeDefined();
      }
      // The heap is capped at most at three quarters of the memory limit (the rest: buffers, code, stacks).
      const heapCap = /--max-old-space-size=(\d+)/.exec(env.get('NODE_OPTIONS')?.value ?? '');
      expect(heapCap).not.toBeNull();
      expect(Number(heapCap![1])).toBeLessThanOrEqual(0.75 * mebibytes(container.resources!.limits!.memory!));
      // ... and its young generation with it (libs/testing heap-cap.ts says why).
      expect(env.get('NODE_OPTIONS')?.value).toBe(heapCapOptions(Number(heapCap![1])));

      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.enableServiceLinks).toBe(false);
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      // With a read-only root, what the service writes goes to emptyDir volumes: /tmp, and its file directories.
      const writable = (container.volumeMounts ?? []).filter((mount) => !mount.readOnly && pod.volumes?.some((volume) => volume.name === mount.name && volume.emptyDir));
      const dirs = ['/tmp', ...['IMPORT_INBOX_DIR', 'EXPORT_FILE_SINK_DIR'].filter((key) => key in service.schema.shape).map((key) => env.get(key)!.value!)];
      for (const wanted of dirs) {
        expect(`${wanted}: ${writable.some((mount) => wanted === mount.mountPath || wanted.startsWith(`${mount.mountPath}/`))}`).toBe(`${wanted}: true`);
      }

      // Drain: preStop, then the bounded waits of the shutdown, and room for the batches in hand.
      const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
      expect(preStop[0]).toBe('sleep');
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(Number(preStop[1]) + DRAIN_BOUNDED_SECONDS + BATCHES_IN_HAND_MIN_SECONDS);
    },
  );

  test.each(SERVICES.map((service) => [service.descriptor.name, service] as const))('%s: Service and PodDisruptionBudget select its pods', (_name, service) => {
    const objects = render(dir);
    const deployment = deploymentOf(objects, service);
    const labels = deployment.spec!.template!.metadata!.labels;
    expect(selects(deployment.spec!.selector, labels)).toBe(true);

    const svc = one(objects, 'Service', service.descriptor.name);
    // A Service's selector is the label map itself.
    expect(selects({ matchLabels: svc.spec!.selector as Record<string, string> }, labels)).toBe(true);
    expect(svc.spec!.ports).toEqual([{ name: 'http', port: service.descriptor.defaultPort, targetPort: 'http' }]);

    const pdb = one(objects, 'PodDisruptionBudget', service.descriptor.name);
    expect(selects(pdb.spec!.selector, labels)).toBe(true);
    // maxUnavailable: a node drain can always move one pod, even at one replica.
    expect(pdb.spec!.maxUnavailable).toBe(1);
    // Only this service's pods.
    for (const other of SERVICES.filter((s) => s !== service)) {
      expect(selects(pdb.spec!.selector, deploymentOf(objects, other).spec!.template!.metadata!.labels)).toBe(false);
    }
  });

  test.each(SERVICES.map((service) => [service.descriptor.name, service] as const))('%s: autoscaling', (_name, service) => {
    const objects = render(dir);
    const name = service.descriptor.name;
    const env = envOf(objects, service, dir);
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler').filter((hpa) => hpa.spec!.scaleTargetRef!.name === name);
    const scaledObjects = ofKind(objects, 'ScaledObject').filter((so) => so.spec!.scaleTargetRef!.name === name);

    if (service.autoscaler === 'hpa') {
      // The IMS: CPU (token requests), not lag (it consumes only ims.events.v1).
      expect(scaledObjects).toEqual([]);
      expect(hpas).toHaveLength(1);
      const hpa = hpas[0];
      expect(hpa.spec!.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa.spec!.metrics).toEqual([expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) })]);
      expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(1);
      return;
    }

    // KEDA makes the HPA of a ScaledObject's target: a second HPA would fight it.
    expect(hpas).toEqual([]);
    expect(scaledObjects).toHaveLength(1);
    const spec = scaledObjects[0].spec!;
    expect(spec.minReplicaCount).toBeGreaterThanOrEqual(1); // never zero: REST, outbox relay, runners
    expect(spec.maxReplicaCount).toBe(PARTITIONS);

    const group = env.get('KAFKA_CONSUMER_GROUP')!.value!;
    if (dir === BASE) expect(group).toBe(`audience-hub.${name}`);
    const groups = [group, ...(service.identityReplica ? [`${group}.identity-links`] : [])];
    const kafka = spec.triggers!.filter((trigger) => trigger.type === 'kafka');
    expect(kafka.map((trigger) => trigger.metadata.consumerGroup)).toEqual(groups);
    for (const trigger of kafka) {
      // KEDA reads the brokers from the Deployment's own environment: one place to set them.
      expect(trigger.metadata.bootstrapServersFromEnv).toBe('KAFKA_BROKERS');
      expect(env.has('KAFKA_BROKERS')).toBe(true);
      expect(trigger.metadata.lagThreshold).toMatch(/^[1-9][0-9]*$/);
      expect(trigger.metadata.activationLagThreshold).toMatch(/^[0-9]+$/);
      expect(trigger.metadata.offsetResetPolicy).toBe(env.get('KAFKA_NEW_GROUP_START')!.value);
      expect(trigger.metadata.allowIdleConsumers).toBe('false');
    }
    // The fallback on CPU, inside the same ScaledObject (so inside KEDA's one HPA).
    expect(spec.triggers!.filter((trigger) => trigger.type === 'cpu')).toEqual([
      { type: 'cpu', metricType: 'Utilization', metadata: { value: expect.stringMatching(/^[1-9][0-9]*$/) } },
    ]);
    expect(spec.triggers!.length).toBe(kafka.length + 1);
  });

  test('the migration Job runs `main.js migrate` for each service, with its DATABASE_URL and DATABASE_SCHEMA', () => {
    const objects = render(dir);
    const job = one(objects, 'Job', 'audience-hub-migrate');
    const pod = job.spec!.template!.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    // docs/operations.md (Upgrade) applies `-l 'app.kubernetes.io/component in (config,migrate)'` first: the
    // Job and every ConfigMap and Secret it reads must carry those labels.
    expect(job.metadata.labels?.['app.kubernetes.io/component']).toBe('migrate');
    for (const object of [...ofKind(objects, 'ConfigMap'), ...ofKind(objects, 'Secret')]) {
      expect(`${object.kind} ${object.metadata.name}: ${object.metadata.labels?.['app.kubernetes.io/component']}`).toBe(`${object.kind} ${object.metadata.name}: config`);
    }
    const steps = pod.initContainers ?? [];
    expect(steps.map((step) => [...(step.command ?? []), ...(step.args ?? [])])).toEqual(
      SERVICES.map(({ descriptor }) => ['node', `dist/apps/${descriptor.name}/src/main.js`, 'migrate']),
    );
    for (const [index, service] of SERVICES.entries()) {
      const step = steps[index];
      expect(step.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      const migrateEnv = resolveEnv(step, objects, dir === BASE ? operatorSecrets : undefined);
      // Only what migrate reads (libs/platform/src/migrate.ts): no other secret of the service.
      expect([...migrateEnv.keys()].sort()).toEqual(['DATABASE_SCHEMA', 'DATABASE_URL']);
      // From the same Secret and ConfigMap as the service itself.
      const serviceEnv = envOf(objects, service, dir);
      expect(migrateEnv.get('DATABASE_URL')!.source).toBe(`${serviceEnv.get('DATABASE_URL')!.source} key DATABASE_URL`);
      expect(migrateEnv.get('DATABASE_SCHEMA')!.source).toBe(`${serviceEnv.get('DATABASE_SCHEMA')!.source} key DATABASE_SCHEMA`);
      if (dir === LOCAL) {
        const config = loadConfig(baseConfigSchema(service.descriptor), valuesOf(migrateEnv));
        expect(config.DATABASE_SCHEMA).toBe(service.descriptor.schema);
      }
    }
  });
});

describe('base', () => {
  test('holds no Secret: the operator creates them (or an overlay generates them)', () => {
    expect(ofKind(render(BASE), 'Secret')).toEqual([]);
  });

  test.each(SERVICES.map((service) => [service.descriptor.name, service] as const))(
    "%s: DATABASE_SCHEMA is the service's schema, KAFKA_CONSUMER_GROUP the README's default",
    (_name, service) => {
      const env = envOf(render(BASE), service, BASE);
      expect(env.get('DATABASE_SCHEMA')!.value).toBe(service.descriptor.schema);
      expect(env.get('KAFKA_CONSUMER_GROUP')!.value).toBe(`audience-hub.${service.descriptor.name}`);
    },
  );

  test("this test's table of config schemas is the one each service's modules.ts passes", () => {
    for (const service of SERVICES) {
      const modules = readFileSync(path.join(root, `apps/${service.descriptor.name}/src/modules.ts`), 'utf8');
      const passed = /configSchema:\s*(\w+)/.exec(modules)?.[1];
      expect(`${service.descriptor.name}: ${passed}`).toBe(`${service.descriptor.name}: ${service.mainConfigSchema}`);
    }
  });
});

describe('local overlay', () => {
  test("generates each service's Secret with exactly the keys the operator is told to create", () => {
    const objects = render(LOCAL);
    for (const service of SERVICES) {
      const secretRef = mainContainer(deploymentOf(objects, service)).envFrom!.find((from) => from.secretRef)!.secretRef!.name;
      expect(secretRef).toMatch(new RegExp(`^${service.descriptor.name}-secrets-[a-z0-9]+$`));
      const secret = one(objects, 'Secret', secretRef);
      expect(Object.keys(secret.data ?? {}).sort()).toEqual([...service.secretKeys].sort());
    }
  });

  test.each(SERVICES.map((service) => [service.descriptor.name, service] as const))("%s: the resolved environment passes the service's own config schema", (_name, service) => {
    const objects = render(LOCAL);
    const env = valuesOf(envOf(objects, service, LOCAL));
    const config = loadConfig(service.schema, env) as Record<string, unknown>;
    expect(config.DATABASE_MIGRATIONS).toBe('verify');
    expect(config.DATABASE_SCHEMA).toBe(service.descriptor.schema);
    // Its own role (libs/persistence, service-roles), which owns only its schema.
    expect(new URL(env.DATABASE_URL).username).toBe(SERVICE_DATABASE_ROLES[service.descriptor.name]);
    if (service.descriptor.name === 'ims') expect(tryParseMasterKey(env.IMS_MASTER_KEY)).toBeDefined();
    // The KEDA operator resolves the brokers from its own namespace: namespace-qualified names.
    for (const broker of env.KAFKA_BROKERS.split(',')) expect(broker).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+\.svc(\.cluster\.local)?:\d+$/);
    for (const container of podOf(deploymentOf(objects, service)).containers) expect(container.image).toBe('audience-hub:local');
  });

  test('the setup Job creates the topics with as many partitions as the ScaledObjects allow replicas', () => {
    const objects = render(LOCAL);
    const setup = one(objects, 'Job', 'audience-hub-setup');
    const env = resolveEnv(podOf(setup).containers[0], objects);
    expect(env.get('KAFKA_TOPIC_PARTITIONS')!.value).toBe(String(PARTITIONS));
    for (const key of ['KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX']) expect(env.get(key)!.source).toMatch(/^ConfigMap audience-hub-config-/);
    // Its role password is the one in every service's DATABASE_URL.
    for (const service of SERVICES) {
      const url = new URL(valuesOf(envOf(objects, service, LOCAL)).DATABASE_URL);
      expect(url.password).toBe(env.get('DATABASE_ROLE_PASSWORD')!.value);
    }
  });
});
