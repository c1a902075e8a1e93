import fc from 'fast-check';
import { createEvent, EventTypes, Topics, type AnyHubEvent, type HubEventOf } from '@audience-hub/contracts';
import { enqueueEvents, type EventContext } from '@audience-hub/messaging';
import { openMediumSchema, type MediumSchema, type OutboxRecord } from '@audience-hub/testing';
import { idReconciliationService } from './service';
import { ingestionConsumers } from './testing/medium-fixture';

/**
 * id-reconciliation's ingestion in-process on real Postgres (medium tier). The batch handlers
 * promise the outcome of applying the same events one at a time, in order: the same Campaign
 * events are applied to two orgs, one in generated batches, the other one event per transaction,
 * and the graphs must be equal; in both, the changelog (latest record per key, as compaction
 * keeps it) must be the graph.
 */
describe('ingesting Campaign events in batches (medium)', () => {
  let db: MediumSchema;
  let consumers: ReturnType<typeof ingestionConsumers>;

  beforeAll(async () => {
    db = await openMediumSchema(idReconciliationService);
    consumers = ingestionConsumers(db.dataSource);
  });
  afterAll(() => db?.close());

  /** The changelog as a compacted topic keeps it: per key, the last record's recipient (tombstones drop the key). */
  const changelog = new Map<string, string>();
  const readChangelog = (records: OutboxRecord[]) => {
    for (const { topic, key, event } of records) {
      if (topic !== Topics.idrecIdentityLinks) continue;
      if (event === null) changelog.delete(key);
      else changelog.set(key, (event.data as { recipientId: string }).recipientId);
    }
  };
  const changelogOf = (orgId: string) =>
    [...changelog]
      .filter(([key]) => key.startsWith(`${orgId}:`))
      .map(([key, recipientId]) => `${key.slice(orgId.length + 1)}=${recipientId}`)
      .sort();
  const graphOf = async (orgId: string) => {
    const rows: Array<{ link: string }> = await db.dataSource.query(
      `SELECT data_source_id || '/' || declared_id || '=' || recipient_id AS link FROM declared_ids WHERE org_id = $1
       UNION ALL SELECT 'visitor/' || ecid || '=' || recipient_id FROM visitor_links WHERE org_id = $1 AND NOT owner_deleted`,
      [orgId],
    );
    return rows.map((row) => row.link).sort();
  };

  /** Applies steps as the consumer would: each batch (or event) in one transaction, its outbox in it. */
  const apply = async (orgId: string, steps: Step[], batched: boolean) => {
    await db.transaction((tx) => consumers.orgs.register(tx, { orgId, name: null }));
    for (const step of steps) {
      if (step.kind === 'source') {
        await db.transaction((tx) =>
          consumers.dataSources.create(tx, { clientId: 'medium-spec', orgId, traceId: '0'.repeat(32) }, { ...step.source, exportControls: [] } as never),
        );
        continue;
      }
      const events = step.events.map((event) => ({ ...event, orgid: orgId }) as AnyHubEvent);
      const groups = batched ? [events] : events.map((event) => [event]);
      for (const group of groups) {
        await db.transaction(async (tx) => {
          const ctx = { manager: tx, publish: (out: AnyHubEvent | readonly AnyHubEvent[]) => enqueueEvents(tx, [out].flat()) } as EventContext;
          if (step.kind === 'upserts') await consumers.recipients.upserted(group as HubEventOf<'campaign.recipient.upserted'>[], ctx);
          else if (step.kind === 'observations') await consumers.visitors.observed(group as HubEventOf<'campaign.visitor.observed'>[], ctx);
          else for (const event of group) await consumers.recipients.deleted(event as HubEventOf<'campaign.recipient.deleted'>, ctx);
        });
      }
    }
    readChangelog(await db.takeOutbox());
  };

  it('gives the graph of one event at a time, and a changelog equal to it, whatever the batches', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(scenario(), async (steps) => {
        round++;
        const [batched, single] = [imsOrgId('B', round), imsOrgId('C', round)];
        await apply(batched, steps, true);
        await apply(single, steps, false);
        const graph = await graphOf(single);
        expect(await graphOf(batched)).toEqual(graph);
        expect(changelogOf(single)).toEqual(graph);
        expect(changelogOf(batched)).toEqual(graph);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  // Recipients and visitor observations come on two topics: Campaign orders each, nothing orders
  // one against the other. An observation made before a recipient's deletion may be applied after it.
  it('gives one graph whatever the interleaving of the two topics, with no link to a deleted recipient', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(twoTopics(), async ({ recipientEvents, observations, firstOrder, secondOrder }) => {
        round++;
        const [first, second] = [imsOrgId('D', round), imsOrgId('E', round)];
        const sources: Step[] = SOURCES.map((source) => ({ kind: 'source', source }));
        await apply(first, [...sources, ...stepsOf(interleave(recipientEvents, observations, firstOrder))], true);
        await apply(second, [...sources, ...stepsOf(interleave(recipientEvents, observations, secondOrder))], false);
        const graph = await graphOf(first);
        expect(await graphOf(second)).toEqual(graph);
        expect(changelogOf(first)).toEqual(graph);
        expect(changelogOf(second)).toEqual(graph);
        const deleted = deletedAtEnd(recipientEvents);
        expect(graph.filter((link) => deleted.has(link.slice(link.indexOf('=') + 1)))).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

const SEED = Number(process.env.HUB_PROPERTY_SEED ?? 20261206);
const RUNS = Number(process.env.HUB_MEDIUM_RUNS ?? 100);

/** An IMS org id (24 upper-case hex digits and `@AdobeOrg`), distinct per tag and round. */
const imsOrgId = (tag: string, round: number): string => `${tag.repeat(12)}${String(round).padStart(12, '0')}@AdobeOrg`;

const RECIPIENTS = ['rcp-a', 'rcp-b', 'rcp-c', 'rcp-d'];
const ECIDS = Array.from({ length: 6 }, (_, i) => `9${String(i).padStart(37, '0')}`);
/** Key values that collide once normalized (trim, lowercase), so recipients take ids from one another. */
const CRM_VALUES = ['crm-1', ' CRM-1', 'crm-2', 'Crm-3 ', null];
const EMAILS = ['a@example.com', 'A@example.com', 'b@example.com', null];
const SOURCES = [
  { id: 'ds-crm', name: 'CRM', integrationCode: 'CRMID', reconciliationKey: { attribute: 'crmId', normalization: ['trim', 'lowercase'] } },
  { id: 'ds-email', name: 'E-mail', integrationCode: 'EMAIL', reconciliationKey: { attribute: 'email', normalization: ['trim', 'lowercase', 'sha256'] } },
];
/** Few distinct times, so observations of one ECID often tie. */
const at = (tick: number) => new Date(Date.UTC(2026, 0, 1) + tick * 1000).toISOString();

type Step = { kind: 'source'; source: (typeof SOURCES)[number] } | { kind: 'upserts' | 'observations' | 'deletions'; events: AnyHubEvent[] };

const campaign = (type: AnyHubEvent['type'], recipientId: string, data: unknown): AnyHubEvent =>
  createEvent({ type, source: '/campaign', orgId: 'placeholder', aggregateId: recipientId, data } as never) as AnyHubEvent;

function scenario(): fc.Arbitrary<Step[]> {
  const recipient = fc.constantFrom(...RECIPIENTS);
  const upsert = fc
    .record({ recipientId: recipient, crmId: fc.option(fc.constantFrom(...CRM_VALUES), { nil: undefined }), email: fc.option(fc.constantFrom(...EMAILS), { nil: undefined }) })
    .map(({ recipientId, crmId, email }) =>
      campaign(EventTypes.campaignRecipientUpserted, recipientId, {
        recipientId,
        attributes: { ...(crmId !== undefined ? { crmId } : {}), ...(email !== undefined ? { email } : {}) },
      }),
    );
  const observation = fc
    .record({ recipientId: recipient, ecid: fc.constantFrom(...ECIDS), tick: fc.integer({ min: 0, max: 4 }) })
    .map(({ recipientId, ecid, tick }) => campaign(EventTypes.campaignVisitorObserved, recipientId, { recipientId, ecid, observedAt: at(tick), channel: 'web' }));
  const deletion = recipient.map((recipientId) => campaign(EventTypes.campaignRecipientDeleted, recipientId, { recipientId }));
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: fc.array(upsert, { minLength: 1, maxLength: 8 }).map((events) => ({ kind: 'upserts' as const, events })) },
    { weight: 4, arbitrary: fc.array(observation, { minLength: 1, maxLength: 8 }).map((events) => ({ kind: 'observations' as const, events })) },
    { weight: 1, arbitrary: fc.array(deletion, { minLength: 1, maxLength: 2 }).map((events) => ({ kind: 'deletions' as const, events })) },
  );
  // One data source from the start, the other created part way (its key values computed from what is stored then).
  return fc
    .tuple(fc.array(step, { minLength: 1, maxLength: 6 }), fc.array(step, { maxLength: 6 }))
    .map(([before, after]) => [{ kind: 'source' as const, source: SOURCES[0] }, ...before, { kind: 'source' as const, source: SOURCES[1] }, ...after]);
}

/** Campaign's recipient events and its visitor observations, and two orders of reading the two topics together. */
function twoTopics() {
  const recipient = fc.constantFrom(...RECIPIENTS);
  const recipientEvent = fc.oneof(
    fc
      .record({ recipientId: recipient, crmId: fc.constantFrom(...CRM_VALUES) })
      .map(({ recipientId, crmId }) => campaign(EventTypes.campaignRecipientUpserted, recipientId, { recipientId, attributes: { crmId } })),
    recipient.map((recipientId) => campaign(EventTypes.campaignRecipientDeleted, recipientId, { recipientId })),
  );
  const observation = fc
    .record({ recipientId: recipient, ecid: fc.constantFrom(...ECIDS.slice(0, 3)), tick: fc.integer({ min: 0, max: 3 }) })
    .map(({ recipientId, ecid, tick }) => campaign(EventTypes.campaignVisitorObserved, recipientId, { recipientId, ecid, observedAt: at(tick), channel: 'web' }));
  const order = fc.array(fc.boolean(), { minLength: 24, maxLength: 24 });
  return fc.record({
    recipientEvents: fc.array(recipientEvent, { minLength: 1, maxLength: 10 }),
    observations: fc.array(observation, { minLength: 1, maxLength: 12 }),
    firstOrder: order,
    secondOrder: order,
  });
}

/** Both topics' events in one sequence, each topic's in its order: `order[i]` takes the next recipient event (when one is left). */
function interleave(recipientEvents: AnyHubEvent[], observations: AnyHubEvent[], order: boolean[]): AnyHubEvent[] {
  const merged: AnyHubEvent[] = [];
  let [r, o] = [0, 0];
  for (let i = 0; r < recipientEvents.length || o < observations.length; i++) {
    const takeRecipient = o === observations.length || (r < recipientEvents.length && (order[i] ?? true));
    merged.push(takeRecipient ? recipientEvents[r++] : observations[o++]);
  }
  return merged;
}

/** Consecutive events of one kind as one step (one consumer batch). */
function stepsOf(events: AnyHubEvent[]): Step[] {
  const kindOf = (event: AnyHubEvent) =>
    event.type === EventTypes.campaignRecipientUpserted ? 'upserts' : event.type === EventTypes.campaignVisitorObserved ? 'observations' : 'deletions';
  const steps: Array<{ kind: 'upserts' | 'observations' | 'deletions'; events: AnyHubEvent[] }> = [];
  for (const event of events) {
    const last = steps.at(-1);
    if (last?.kind === kindOf(event)) last.events.push(event);
    else steps.push({ kind: kindOf(event), events: [event] });
  }
  return steps;
}

/** Recipients whose last event is their deletion. */
function deletedAtEnd(recipientEvents: AnyHubEvent[]): Set<string> {
  const last = new Map<string, AnyHubEvent['type']>();
  for (const event of recipientEvents) last.set((event.data as { recipientId: string }).recipientId, event.type);
  return new Set([...last].filter(([, type]) => type === EventTypes.campaignRecipientDeleted).map(([recipientId]) => recipientId));
}
