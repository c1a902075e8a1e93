import { HubClient, HubEventProducer, type HubUrls } from '@audience-hub/client';
import { createEvent, EventTypes, Topics } from '@audience-hub/contracts';
import { ImsTestClient, type Tenant } from './ims-test-client';
import type { KafkaProbe } from './kafka-probe';
import { launchService, type HubServiceName, type RunningService } from './service-launcher';
import type { TestEnv } from './test-env';

export type StackService = Exclude<HubServiceName, 'ims'>;

export type StackEnv = Partial<Record<StackService, Record<string, string>>>;

export interface StackOptions {
  /** The services to start besides the IMS (all at once); a name may repeat (two importers). */
  services: StackService[];
  /** The IMS's extra environment. */
  imsEnv?: Record<string, string>;
  /**
   * The services' extra environment (on top of the test environment and the trust of this IMS);
   * a function when it depends on what the running IMS makes (say, locations per org id).
   */
  env?: StackEnv | ((ims: ImsTestClient) => Promise<StackEnv>);
}

/** An IMS and the services that trust it, as separate processes, with what a test drives them through. */
export interface Stack {
  ims: ImsTestClient;
  /** Every service but the IMS, in the order asked for. */
  services: RunningService[];
  /** The first of each kind (throws when it was not asked for). */
  readonly idrec: RunningService;
  readonly importer: RunningService;
  readonly exporter: RunningService;
  /** Where the client finds each service (the first of each kind). */
  urls: HubUrls;
  /** A new org whose technical account holds `scopes`. */
  tenant(scopes: string[], name?: string): Promise<Tenant>;
  /** The typed client as `who` (one per tenant): tokens fetched with its client credentials, refreshed by the client. */
  client(who: Tenant): HubClient;
  /** A producer of Campaign and XC events, as upstream systems publish them (closed by stop()). */
  producer(source?: string): HubEventProducer;
  /** Stops the services, then the IMS, and closes the producers. */
  stop(): Promise<void>;
}

/**
 * Starts an IMS, then the services that trust it, each from the build as its own process
 * (`npm run build` first). Every e2e spec starts its stack here.
 */
export async function launchStack(env: TestEnv, options: StackOptions): Promise<Stack> {
  const ims = await ImsTestClient.start(env, options.imsEnv);
  let services: RunningService[];
  try {
    const extra = typeof options.env === 'function' ? await options.env(ims) : (options.env ?? {});
    const started = await Promise.allSettled(options.services.map((name) => launchService(name, env.serviceEnv(name, { ...ims.trustEnv, ...extra[name] }))));
    services = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.all(services.map((service) => service.stop()));
      throw failed.reason;
    }
  } catch (error) {
    await ims.stop();
    throw error;
  }
  const first = (name: StackService) => {
    const service = services.find((s) => s.name === name);
    if (!service) throw new Error(`${name} is not part of this stack (launchStack's services)`);
    return service;
  };
  const url = (name: StackService) => services.find((s) => s.name === name)?.url ?? 'http://127.0.0.1:1';
  const urls: HubUrls = { ims: ims.url, idReconciliation: url('id-reconciliation'), audienceImport: url('audience-import'), audienceExport: url('audience-export') };
  const producers: HubEventProducer[] = [];
  const clients = new Map<string, HubClient>();
  return {
    ims,
    services,
    get idrec() {
      return first('id-reconciliation');
    },
    get importer() {
      return first('audience-import');
    },
    get exporter() {
      return first('audience-export');
    },
    urls,
    tenant: (scopes, name) => ims.tenant(scopes, name),
    client: (who) => {
      let client = clients.get(who.clientId);
      if (!client) clients.set(who.clientId, (client = new HubClient({ urls, auth: { clientId: who.clientId, clientSecret: who.clientSecret } })));
      return client;
    },
    producer: (source = '/e2e') => {
      const producer = new HubEventProducer({ brokers: env.kafkaBrokers, source, topicPrefix: process.env.KAFKA_TOPIC_PREFIX });
      producers.push(producer);
      return producer;
    },
    stop: async () => {
      await Promise.all(services.map((service) => service.stop()));
      await ims.stop();
      await Promise.all(producers.map((producer) => producer.close()));
    },
  };
}

/**
 * Announces the tenants' orgs on ims.events.v1 as the IMS does (its own announcement comes through
 * its outbox a moment later; the services take either, once).
 */
export async function announceOrgs(probe: KafkaProbe, tenants: Tenant[]): Promise<void> {
  await probe.publish(
    Topics.imsEvents,
    tenants.map((t) =>
      createEvent({
        type: EventTypes.imsOrgCreated,
        source: '/e2e',
        orgId: t.orgId,
        aggregateId: t.orgId,
        data: { orgId: t.orgId, name: 'Org', createdAt: new Date().toISOString() },
      }),
    ),
  );
}
