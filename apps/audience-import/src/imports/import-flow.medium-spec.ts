import { Readable } from 'node:stream';
import fc from 'fast-check';
import { EventTypes } from '@audience-hub/contracts';
import { importRuns } from '@audience-hub/observability';
import {
  DataSourceCopiesRepository,
  IdentityReplicaRepository,
  KnownOrgsRepository,
  KnownOrgsService,
  SuppressionsRepository,
  type IdentityLinkRecord,
} from '@audience-hub/platform';
import { openMediumSchema, type MediumSchema } from '@audience-hub/testing';
import { audienceImportService } from '../service';
import { CatalogRepository } from '../catalog/catalog.repository';
import type { ImportConfig } from '../config';
import { FilesRepository } from '../files/files.repository';
import { ImportFileUseCase } from '../files/usecases/import-file.usecase';
import { DataSourcesRepository } from '../data-sources/data-sources.repository';
import { ListsRepository } from '../lists/lists.repository';
import { LateLinksListener } from '../pending/late-links.listener';
import { PendingRepository } from '../pending/pending.repository';
import { PoliciesRepository } from '../policies/policies.repository';
import { ImportsRepository } from './imports.repository';
import { RunsRepository } from './runs.repository';
import { ApplySnapshotUseCase } from './usecases/apply-snapshot.usecase';
import { CreateImportUseCase } from './usecases/create-import.usecase';
import { ReceiveSnapshotChunkUseCase, type SnapshotChunk } from './usecases/receive-snapshot-chunk.usecase';

/**
 * The import flow in-process on real Postgres (medium tier): snapshot chunks and late links in
 * every order, checked against what Campaign would hold, which is only what the outbox says.
 */
describe('importing snapshots while links change (medium)', () => {
  let db: MediumSchema;
  let flow: ReturnType<typeof buildFlow>;

  beforeAll(async () => {
    db = await openMediumSchema(audienceImportService);
    flow = buildFlow(db);
  });
  afterAll(() => db?.close());

  /** A full import of a fresh audience in a fresh org; the built-in visitor data source. */
  const newImport = async (orgId: string, mode: 'full' | 'delta' = 'full') => {
    const audienceId = `aud-${orgId}`;
    await db.transaction((tx) => flow.catalog.publish(tx, orgId, { audienceId, name: 'medium', solution: 'aam', labels: [] } as never));
    const job = await flow.createImport.execute(orgId, { audienceId, dataSourceId: 'visitor', mode } as never);
    return { orgId, audienceId, importId: job.id, listId: job.listId };
  };

  /** What Campaign holds of a list: the outbox's members-changed events, applied in order. */
  const campaignView = new Map<string, Set<string>>();
  const replayOutbox = async () => {
    for (const { event } of await db.takeOutbox()) {
      if (event?.type !== EventTypes.campaignImportedListMembersChanged) continue;
      const data = event.data as { listId: string; added: string[]; removed: string[] };
      const list = campaignView.get(data.listId) ?? new Set<string>();
      for (const id of data.added) {
        expect(list.has(id)).toBe(false); // an add is news to Campaign
        list.add(id);
      }
      for (const id of data.removed) {
        expect(list.has(id)).toBe(true); // a removal names a member
        list.delete(id);
      }
      campaignView.set(data.listId, list);
    }
  };
  const listOf = async (importId: string) => flow.lists.members(importId, 1_000_000);
  const pendingOf = async (importId: string) =>
    (await db.dataSource.query(`SELECT xc_id FROM pending_ids WHERE import_id = $1 ORDER BY xc_id`, [importId])).map((row: { xc_id: string }) => row.xc_id);

  const chunk = (
    audienceId: string,
    snapshot: string,
    part: number,
    lastPart: boolean,
    added: string[],
    removed: string[] = [],
    mode: 'full' | 'delta' = 'full',
  ): SnapshotChunk => ({
    audienceId,
    snapshotKey: `xc:${snapshot}`,
    mode,
    idType: 'visitor',
    part,
    lastPart,
    added,
    removed,
  });

  /** Changelog records as the replica's consumer applies them: one transaction, late links in it. */
  const link = (orgId: string, links: Array<[xcId: string, recipientId: string | null]>) =>
    db.transaction(async (tx) => {
      const latest = new Map(links);
      const records: IdentityLinkRecord[] = [...latest].map(([xcId, recipientId]) => ({ orgId, dataSourceId: 'visitor', xcId, recipientId }));
      await flow.replica.apply(tx, records);
      await flow.lateLinks.onIdentityChanges(tx);
    });

  it("keeps Campaign, the list and pending ids exact whatever the order of full snapshots' parts, resends and link changes", async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fullSnapshotScenario(), async (scenario) => {
        const job = await newImport(`org-full-${++round}`);
        const links = new Map<string, string>();
        const firstSeen: number[] = [];
        for (const step of scenario.steps) {
          if (step.kind === 'link') {
            await link(job.orgId, step.links);
            for (const [xcId, recipientId] of step.links) recipientId === null ? links.delete(xcId) : links.set(xcId, recipientId);
          } else {
            const parts = scenario.snapshots[step.snapshot];
            if (!firstSeen.includes(step.snapshot)) firstSeen.push(step.snapshot);
            await db.transaction((tx) =>
              flow.receive.execute(tx, job.orgId, chunk(job.audienceId, `${job.orgId}-s${step.snapshot}`, step.part, step.part === parts.length - 1, parts[step.part])),
            );
          }
          await replayOutbox();
          expect([...(campaignView.get(job.listId) ?? [])].sort()).toEqual(await listOf(job.importId));
        }
        // Every part of every snapshot arrived: the list is the snapshot XC started last, resolved
        // against the links as they are now; its other ids are pending.
        const last = scenario.snapshots[firstSeen[firstSeen.length - 1]].flat();
        const expectedMembers = [...new Set(last.filter((id) => links.has(id)).map((id) => links.get(id)!))].sort();
        expect(await listOf(job.importId)).toEqual(expectedMembers);
        expect(await pendingOf(job.importId)).toEqual([...new Set(last.filter((id) => !links.has(id)))].sort());
        const view = await flow.imports.view(job.orgId, job.importId);
        expect(view).toMatchObject({ state: 'completed', counts: { pending: new Set(last.filter((id) => !links.has(id))).size } });
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('keeps a delta import exact while parts of each delta come in any order among link changes', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(deltaScenario(), async (scenario) => {
        const job = await newImport(`org-delta-${++round}`, 'delta');
        const links = new Map<string, string>();
        const members = new Set<string>(); // the XC ids in the list, matched or pending
        for (const [n, delta] of scenario.deltas.entries()) {
          for (const step of delta.steps) {
            if (step.kind === 'link') {
              await link(job.orgId, step.links);
              for (const [xcId, recipientId] of step.links) recipientId === null ? links.delete(xcId) : links.set(xcId, recipientId);
            } else {
              const part = delta.parts[step.part];
              await db.transaction((tx) =>
                flow.receive.execute(
                  tx,
                  job.orgId,
                  chunk(job.audienceId, `${job.orgId}-d${n}`, step.part, step.part === delta.parts.length - 1, part.added, part.removed, 'delta'),
                ),
              );
            }
            await replayOutbox();
            expect([...(campaignView.get(job.listId) ?? [])].sort()).toEqual(await listOf(job.importId));
          }
          for (const part of delta.parts) for (const id of part.removed) members.delete(id);
          for (const part of delta.parts) for (const id of part.added) members.add(id);
        }
        const expectedMembers = [...new Set([...members].filter((id) => links.has(id)).map((id) => links.get(id)!))].sort();
        expect(await listOf(job.importId)).toEqual(expectedMembers);
        expect(await pendingOf(job.importId)).toEqual([...members].filter((id) => !links.has(id)).sort());
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('resolves a chunk of thousands of ids, some sent before, through the savepoint fallback, counting each id once', async () => {
    const job = await newImport('org-savepoint');
    const ids = Array.from({ length: 11_990 }, (_, i) => ecid(i));
    // Every third id is known, to one of 100 recipients.
    await link(
      job.orgId,
      ids.filter((_, i) => i % 3 === 0).map((id, i) => [id, `rcp-${i % 100}`]),
    );
    const first = ids.slice(0, 6_000);
    const second = ids.slice(5_990); // 10 ids of the first part again: the plain insert fails, the careful one counts them once
    await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunk(job.audienceId, 'big', 0, false, first)));
    await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunk(job.audienceId, 'big', 1, true, second)));
    const view = await flow.imports.view(job.orgId, job.importId);
    expect(view?.counts).toMatchObject({ matched: 3_997, unmatched: 7_993, pending: 7_993, added: 100 });
    await replayOutbox();
    expect([...campaignView.get(job.listId)!].sort()).toEqual(await listOf(job.importId));
    expect(await listOf(job.importId)).toHaveLength(100);
  });

  it('dry-runs an outbound file: says what it would add and how its ids resolve, writes nothing, and the real import does exactly that', async () => {
    const job = await newImport('org-dry-run');
    const ids = Array.from({ length: 30 }, (_, i) => ecid(i));
    await link(
      job.orgId,
      ids.slice(0, 20).map((id, i) => [id, `rcp-${i % 10}`]),
    );
    const name = `S3_1_0_acme_full_${Date.now()}-0.sync`;
    const file = () => Readable.from([ids.map((id) => `${id} ${job.audienceId} `).join('\n') + '\n']);
    await db.takeOutbox();
    const completedRuns = async () => (await importRuns.get()).values.find((v) => v.labels.outcome === 'completed')?.value ?? 0;
    const before = await completedRuns();

    const dry = await flow.importFile.execute(job.orgId, name, 'upload', file(), { dryRun: true });
    expect(dry).toMatchObject({
      dryRun: true,
      state: 'applied',
      lines: 30,
      effects: [{ importId: job.importId, listId: job.listId, added: 10, removed: 0, matched: 20, unmatched: 10, matchRate: 20 / 30 }],
    });
    expect(await listOf(job.importId)).toEqual([]);
    expect(await db.takeOutbox()).toEqual([]);
    expect(await db.dataSource.query(`SELECT 1 FROM imported_files WHERE name = $1`, [name])).toEqual([]);
    expect(await flow.imports.view(job.orgId, job.importId)).toMatchObject({ state: 'pending', snapshots: 0 });
    expect(await completedRuns()).toBe(before); // counted only when a run's transaction commits

    const real = await flow.importFile.execute(job.orgId, name, 'upload', file());
    expect(real).toMatchObject({ state: 'applied', lines: 30 });
    expect(real.dryRun).toBeUndefined();
    expect(await listOf(job.importId)).toHaveLength(dry.effects![0].added);
    expect(await flow.imports.view(job.orgId, job.importId)).toMatchObject({ state: 'completed', counts: { matched: 20, unmatched: 10 } });
    expect(await completedRuns()).toBe(before + 1);
  });

  it('purges the staging of replaced runs in short steps and leaves the list as it is', async () => {
    const job = await newImport('org-purge');
    const ids = Array.from({ length: 300 }, (_, i) => ecid(i));
    await link(
      job.orgId,
      ids.map((id, i) => [id, `rcp-${i % 50}`]),
    );
    for (const [n, slice] of [ids.slice(0, 200), ids.slice(100), ids.slice(50, 250)].entries()) {
      await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunk(job.audienceId, `p${n}`, 0, true, slice)));
    }
    const before = await listOf(job.importId);
    let steps = 0;
    while (await db.transaction((tx) => flow.runs.purgeSomeFinished(tx))) steps++;
    expect(steps).toBeGreaterThan(0);
    const [{ members_run: current }] = await db.dataSource.query(`SELECT members_run FROM imports WHERE import_id = $1`, [job.importId]);
    const leftovers = await db.dataSource.query(
      `SELECT run_id FROM import_members WHERE run_id <> $1 AND run_id IN (SELECT run_id FROM runs WHERE import_id = $2)
       UNION SELECT run_id FROM run_unmatched WHERE run_id IN (SELECT run_id FROM runs WHERE import_id = $2)`,
      [current, job.importId],
    );
    expect(leftovers).toEqual([]);
    expect(await listOf(job.importId)).toEqual(before);
    expect(before).toHaveLength(50);
  });
});

const SEED = Number(process.env.HUB_PROPERTY_SEED ?? 20261206);
const RUNS = Number(process.env.HUB_MEDIUM_RUNS ?? 100);

/** 38-digit ECIDs, distinct per `n`. */
const ecid = (n: number): string => `7${String(n).padStart(37, '0')}`;

const POOL = Array.from({ length: 24 }, (_, i) => ecid(i));
const RECIPIENTS = ['rcp-a', 'rcp-b', 'rcp-c', 'rcp-d', 'rcp-e'];

type LinkStep = { kind: 'link'; links: Array<[string, string | null]> };
const linkBatch = (): fc.Arbitrary<LinkStep> =>
  fc
    .array(fc.tuple(fc.constantFrom(...POOL), fc.option(fc.constantFrom(...RECIPIENTS), { nil: null })), { minLength: 1, maxLength: 6 })
    .map((links) => ({ kind: 'link' as const, links }));

/** Splits ids into 1-3 parts (some maybe empty). */
const parts = (ids: string[]): fc.Arbitrary<string[][]> =>
  fc
    .integer({ min: 1, max: 3 })
    .chain((n) =>
      fc
        .array(fc.integer({ min: 0, max: n - 1 }), { minLength: ids.length, maxLength: ids.length })
        .map((owner) => Array.from({ length: n }, (_, p) => ids.filter((_, i) => owner[i] === p))),
    );

type ChunkStep = { kind: 'chunk'; snapshot: number; part: number };

/** 1-3 full snapshots of the pool, their parts (and a few resends) shuffled among link batches. */
function fullSnapshotScenario() {
  return fc
    .tuple(fc.array(fc.subarray(POOL).chain(parts), { minLength: 1, maxLength: 3 }), fc.array(linkBatch(), { minLength: 0, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 3 }))
    .chain(([snapshots, linkSteps, resends]) => {
      const chunks: ChunkStep[] = snapshots.flatMap((p, snapshot) => p.map((_, part) => ({ kind: 'chunk' as const, snapshot, part })));
      const again = resends.map((n) => chunks[n % chunks.length]);
      return fc
        .shuffledSubarray<ChunkStep | LinkStep>([...chunks, ...again, ...linkSteps], { minLength: chunks.length + again.length + linkSteps.length })
        .map((steps) => ({ snapshots, steps }));
    });
}

/** 1-3 deltas, one after another; each one's parts shuffled among link batches. */
function deltaScenario() {
  const delta = fc.tuple(fc.subarray(POOL), fc.subarray(POOL), fc.array(linkBatch(), { maxLength: 3 })).chain(([added, removedPool, linkSteps]) => {
    const removed = removedPool.filter((id) => !added.includes(id));
    return parts([...added, ...removed]).chain((split) => {
      const deltaParts = split.map((ids) => ({ added: ids.filter((id) => added.includes(id)), removed: ids.filter((id) => removed.includes(id)) }));
      const chunks: ChunkStep[] = deltaParts.map((_, part) => ({ kind: 'chunk' as const, snapshot: 0, part }));
      return fc.shuffledSubarray<ChunkStep | LinkStep>([...chunks, ...linkSteps], { minLength: chunks.length + linkSteps.length }).map((steps) => ({ parts: deltaParts, steps }));
    });
  });
  return fc.array(delta, { minLength: 1, maxLength: 3 }).map((deltas) => ({ deltas }));
}

/** The use cases and repositories of audience-import that the flow touches, wired by hand. */
function buildFlow(db: MediumSchema) {
  const ds = db.dataSource;
  const imports = new ImportsRepository(ds);
  const runs = new RunsRepository();
  const catalog = new CatalogRepository(ds);
  const dataSources = new DataSourcesRepository(ds, new DataSourceCopiesRepository());
  const policies = new PoliciesRepository(ds);
  const knownOrgsOptions = { table: 'known_orgs' };
  const orgs = new KnownOrgsService(ds, new KnownOrgsRepository(knownOrgsOptions), knownOrgsOptions);
  const applySnapshot = new ApplySnapshotUseCase(imports, runs, dataSources);
  const receive = new ReceiveSnapshotChunkUseCase(imports, runs, catalog, dataSources, policies, applySnapshot, new SuppressionsRepository());
  return {
    imports,
    runs,
    catalog,
    lists: new ListsRepository(ds),
    replica: new IdentityReplicaRepository(),
    lateLinks: new LateLinksListener(new PendingRepository(), imports),
    createImport: new CreateImportUseCase(ds, imports, catalog, dataSources, policies, orgs),
    receive,
    importFile: new ImportFileUseCase(ds, new FilesRepository(ds), dataSources, receive, { IMPORT_MAX_ERROR_RATIO: 0.01 } as ImportConfig),
  };
}
