import fc from 'fast-check';
import { EventTypes } from '@audience-hub/contracts';
import { DataSourceCopiesRepository, IdentityReplicaRepository, SuppressionsRepository } from '@audience-hub/platform';
import { openMediumSchema, type MediumSchema } from '@audience-hub/testing';
import { audienceExportService } from '../service';
import type { AudienceExportConfig } from '../config';
import { ExportFilesRepository } from '../files/export-files.repository';
import { ExportFilesService } from '../files/export-files.service';
import { IdentityClocksRepository } from '../identity/identity-clocks.repository';
import { ListsRepository } from '../lists/lists.repository';
import { SharedAudiencesRepository } from '../shared-audiences/shared-audiences.repository';
import { SharedAudiencesService } from '../shared-audiences/shared-audiences.service';
import { ExportedMembersRepository } from './exported-members.repository';
import type { ExportMode } from './update';
import { UpdateOutcomeService } from './update-outcome.service';
import { UpdatesRepository } from './updates.repository';
import { FinalizeUpdateUseCase, MAX_ECIDS_PER_RECIPIENT } from './usecases/finalize-update.usecase';
import { DryRunUpdateUseCase } from './usecases/dry-run-update.usecase';
import { RequestUpdateUseCase } from './usecases/request-update.usecase';
import { StartUpdateUseCase } from './usecases/start-update.usecase';

/**
 * "Update shared audience" in-process on real Postgres (medium tier): Campaign's list changes,
 * link changes and updates of either mode in generated orders, checked against what XC holds,
 * which is only what the outbox told it.
 */
describe('updating a shared audience while its list and the links change (medium)', () => {
  let db: MediumSchema;
  let flow: ReturnType<typeof buildFlow>;

  beforeAll(async () => {
    db = await openMediumSchema(audienceExportService);
    flow = buildFlow(db);
  });
  afterAll(() => db?.close());

  /** What XC holds of each shared audience: the outbox's members-changed events, applied in order. */
  const xcView = new Map<string, Set<string>>();
  const replayOutbox = async () => {
    for (const { event } of await db.takeOutbox()) {
      if (event?.type !== EventTypes.xcSharedAudienceMembersChanged) continue;
      const data = event.data as { sharedAudienceId: string; added: string[]; removed: string[] };
      const held = xcView.get(data.sharedAudienceId) ?? new Set<string>();
      for (const id of data.removed) {
        expect(held.has(id)).toBe(true); // a removal names an id XC holds
        held.delete(id);
      }
      for (const id of data.added) {
        expect(held.has(id)).toBe(false); // an addition is news to XC
        held.add(id);
      }
      xcView.set(data.sharedAudienceId, held);
    }
  };

  it('tells XC exactly the resolved list (mirror) or a superset of every list it saw (add-only), whatever the order of changes', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(scenario(), async (steps) => {
        const orgId = `org-x-${++round}`;
        const listId = 'list-1';
        const audienceId = await db.transaction(async (tx) => {
          await flow.dataSourceCopies.upsert(tx, orgId, VISITOR);
          await flow.lists.upsertList(tx, orgId, listId, 'medium');
          return (await flow.sharedAudiences.define(tx, orgId, `segment-${round}`, { ...VISITOR, normalization: [] }))!.id;
        });
        const members = new Set<string>();
        const links = new Map<string, { recipientId: string; observedAt: number }>();
        let clock = 0;
        let expected = new Set<string>();
        for (const step of steps) {
          if (step.kind === 'add' || step.kind === 'remove') {
            await db.transaction((tx) =>
              step.kind === 'add' ? flow.lists.addMembers(tx, orgId, listId, step.recipients) : flow.lists.removeMembers(tx, orgId, listId, step.recipients),
            );
            for (const r of step.recipients) step.kind === 'add' ? members.add(r) : members.delete(r);
          } else if (step.kind === 'link') {
            const records = [...new Map(step.links)].map(([xcId, recipientId]) => ({ orgId, dataSourceId: 'visitor', xcId, recipientId, observedAt: at(++clock) }));
            await db.transaction(async (tx) => {
              await flow.replica.apply(tx, records);
              await flow.clocks.tick(tx);
            });
            for (const record of records) {
              if (record.recipientId === null) links.delete(record.xcId);
              else links.set(record.xcId, { recipientId: record.recipientId, observedAt: clock });
            }
          } else {
            await flow.update(orgId, audienceId, listId, step.mode);
            const resolved = resolvedIds(members, links);
            expected = step.mode === 'mirror' ? resolved : new Set([...expected, ...resolved]);
            await replayOutbox();
            expect([...(xcView.get(audienceId) ?? [])].sort()).toEqual([...expected].sort());
          }
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

const SEED = Number(process.env.HUB_PROPERTY_SEED ?? 20261206);
const RUNS = Number(process.env.HUB_MEDIUM_RUNS ?? 100);

const VISITOR = { dataSourceId: 'visitor', name: 'Visitor (ECID)', idType: 'visitor' as const, integrationCode: 'ECID', builtIn: true, exportControls: [] };

const ecid = (n: number): string => `8${String(n).padStart(37, '0')}`;
const ECIDS = Array.from({ length: 16 }, (_, i) => ecid(i));
const RECIPIENTS = ['rcp-a', 'rcp-b', 'rcp-c', 'rcp-d', 'rcp-e', 'rcp-f'];
const at = (tick: number) => new Date(Date.UTC(2026, 0, 1) + tick * 1000).toISOString();

/** A recipient's ids as an update resolves them: its most recently observed first, at most MAX_ECIDS_PER_RECIPIENT. */
function resolvedIds(members: Set<string>, links: Map<string, { recipientId: string; observedAt: number }>): Set<string> {
  const byRecipient = new Map<string, Array<{ xcId: string; observedAt: number }>>();
  for (const [xcId, link] of links) {
    if (!members.has(link.recipientId)) continue;
    byRecipient.set(link.recipientId, [...(byRecipient.get(link.recipientId) ?? []), { xcId, observedAt: link.observedAt }]);
  }
  const ids = new Set<string>();
  for (const held of byRecipient.values()) {
    held.sort((a, b) => b.observedAt - a.observedAt || (a.xcId < b.xcId ? -1 : 1));
    for (const { xcId } of held.slice(0, MAX_ECIDS_PER_RECIPIENT)) ids.add(xcId);
  }
  return ids;
}

type Step =
  { kind: 'add'; recipients: string[] } | { kind: 'remove'; recipients: string[] } | { kind: 'link'; links: Array<[string, string | null]> } | { kind: 'update'; mode: ExportMode };

function scenario(): fc.Arbitrary<Step[]> {
  const recipients = fc.subarray(RECIPIENTS, { minLength: 1 });
  const step: fc.Arbitrary<Step> = fc.oneof(
    recipients.map((r) => ({ kind: 'add' as const, recipients: r })),
    recipients.map((r) => ({ kind: 'remove' as const, recipients: r })),
    fc
      .array(fc.tuple(fc.constantFrom(...ECIDS), fc.option(fc.constantFrom(...RECIPIENTS), { nil: null, freq: 4 })), { minLength: 1, maxLength: 8 })
      .map((links) => ({ kind: 'link' as const, links })),
    fc.constantFrom<ExportMode>('mirror', 'mirror', 'add-only').map((mode) => ({ kind: 'update' as const, mode })),
  );
  return fc.array(step, { minLength: 1, maxLength: 14 }).map((steps) => [...steps, { kind: 'update', mode: 'mirror' }]);
}

/** The use cases and repositories of audience-export that an update touches, wired by hand (no file sink). */
function buildFlow(db: MediumSchema) {
  const ds = db.dataSource;
  const config = { EXPORT_FILE_MAX_LINES: 5_000_000 } as AudienceExportConfig;
  const updates = new UpdatesRepository();
  const audiences = new SharedAudiencesRepository();
  const dataSourceCopies = new DataSourceCopiesRepository();
  const lists = new ListsRepository(ds);
  const members = new ExportedMembersRepository();
  const clocks = new IdentityClocksRepository();
  const outcome = new UpdateOutcomeService(updates);
  const files = new ExportFilesService(config, ds, new ExportFilesRepository(), members, audiences);
  const request = new RequestUpdateUseCase(updates);
  const start = new StartUpdateUseCase(ds, updates, audiences, dataSourceCopies, lists, outcome);
  const finalize = new FinalizeUpdateUseCase(ds, updates, audiences, dataSourceCopies, lists, members, clocks, files, outcome, new SuppressionsRepository());
  const dryRun = new DryRunUpdateUseCase(ds, updates, request, start, finalize);
  return {
    lists,
    clocks,
    dataSourceCopies,
    replica: new IdentityReplicaRepository(),
    sharedAudiences: new SharedAudiencesService(audiences),
    /**
     * One update from request to its final step, as the runner drives it; a dry run first, which
     * must write nothing (no outbox row, no update) and predict the update's counts exactly.
     */
    async update(orgId: string, sharedAudienceId: string, listId: string, mode: ExportMode) {
      const before = await ds.query(`SELECT (SELECT count(*) FROM outbox_events) AS events, (SELECT count(*) FROM shared_audience_updates) AS updates`);
      const predicted = await dryRun.execute({ orgId, sharedAudienceId, listId, mode });
      expect(await ds.query(`SELECT (SELECT count(*) FROM outbox_events) AS events, (SELECT count(*) FROM shared_audience_updates) AS updates`)).toEqual(before);
      const queued = await ds.transaction((tx) => request.execute(tx, { orgId, sharedAudienceId, listId, mode }));
      expect(await start.execute(orgId, queued.id)).toBe(true);
      expect(await finalize.execute(orgId, queued.id)).toBe(true);
      const [row] = await ds.query(`SELECT state, reason FROM shared_audience_updates WHERE update_id = $1`, [queued.id]);
      expect(row).toMatchObject({ state: 'completed' });
      expect(predicted).toMatchObject({ dryRun: true, state: 'completed' });
      expect(predicted.counts).toEqual((await updates.find(ds.manager, orgId, queued.id))!.counts);
    },
  };
}
