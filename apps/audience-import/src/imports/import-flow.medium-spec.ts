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
import { PrivacyRepository } from '../privacy/privacy.repository';
import { ImportEffectsRepository } from './import-effects.repository';
import { ImportsRepository } from './imports.repository';
import { ReceivedSnapshotsRepository } from './received-snapshots.repository';
import { RunsRepository } from './runs.repository';
import { ApplySnapshotUseCase } from './usecases/apply-snapshot.usecase';
import { CreateImportUseCase } from './usecases/create-import.usecase';
import { DryRunSnapshotUseCase } from './usecases/dry-run-snapshot.usecase';
import { ReceiveSnapshotChunkUseCase, type ChunkResolvedAhead, type SnapshotChunk } from './usecases/receive-snapshot-chunk.usecase';

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

  /**
   * One import of a fresh org through the scenario's steps, Campaign's view checked after each.
   * With `lag`, each chunk's ids are resolved ahead (as a file import or a batch of chunks does)
   * `lag` steps before its transaction: the link batches in between must win over what was read.
   */
  const fullSnapshotRound = async (orgId: string, scenario: FullSnapshotScenario, lag?: number) => {
    const job = await newImport(orgId);
    const links = new Map<string, string>();
    const firstSeen: number[] = [];
    const chunkOf = (step: ChunkStep) => {
      const parts = scenario.snapshots[step.snapshot];
      return chunk(job.audienceId, `${job.orgId}-s${step.snapshot}`, step.part, step.part === parts.length - 1, parts[step.part]);
    };
    const ahead = new Map<number, ChunkResolvedAhead>();
    const resolveAhead = async (index: number) => {
      const step = scenario.steps[index];
      if (lag !== undefined && step?.kind === 'chunk') ahead.set(index, await flow.receive.resolveAhead(job.orgId, chunkOf(step), { fromIds: 0 }));
    };
    for (let index = 0; index < (lag ?? 0); index++) await resolveAhead(index);
    for (const [index, step] of scenario.steps.entries()) {
      await resolveAhead(index + (lag ?? 0));
      if (step.kind === 'link') {
        await link(job.orgId, step.links);
        for (const [xcId, recipientId] of step.links) recipientId === null ? links.delete(xcId) : links.set(xcId, recipientId);
      } else {
        if (!firstSeen.includes(step.snapshot)) firstSeen.push(step.snapshot);
        await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunkOf(step), ahead.get(index)));
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
  };

  it("keeps Campaign, the list and pending ids exact whatever the order of full snapshots' parts, resends and link changes", async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fullSnapshotScenario(), (scenario) => fullSnapshotRound(`org-full-${++round}`, scenario)),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('keeps them exact when each chunk was resolved ahead of its transaction, before link changes that must win', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fullSnapshotScenario(), fc.integer({ min: 0, max: 3 }), (scenario, lag) => fullSnapshotRound(`org-ahead-${++round}`, scenario, lag)),
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

  it("resolves a file's chunk of thousands of new and repeated ids, each id once and with its own recipient", async () => {
    const job = await newImport('org-pieces');
    const ids = Array.from({ length: 13_000 }, (_, i) => ecid(i));
    // Every third id is known, each to a recipient of its own: a recipient paired with the wrong id would show.
    const known = ids.filter((_, i) => i % 3 === 0);
    await link(
      job.orgId,
      known.map((id) => [id, `rcp-of-${id}`]),
    );
    // The second chunk (ids 5,000-12,999) holds 5,000 ids of the first and 3,000 new ones: inserted plainly and the careful way in one statement.
    const lines = [...ids.slice(0, 10_000), ...ids.slice(5_000)];
    const name = `S3_1_0_acme_full_${Date.now()}-0.sync`;
    const report = await flow.importFile.execute(job.orgId, name, 'upload', Readable.from([lines.map((id) => `${id} ${job.audienceId} `).join('\n') + '\n']));
    expect(report).toMatchObject({ state: 'applied', lines: 18_000 });
    const view = await flow.imports.view(job.orgId, job.importId);
    expect(view?.counts).toMatchObject({ received: 18_000, matched: known.length, unmatched: ids.length - known.length, added: known.length });
    expect(await listOf(job.importId)).toEqual(known.map((id) => `rcp-of-${id}`).sort());
    expect(await pendingOf(job.importId)).toEqual(ids.filter((_, i) => i % 3 !== 0).sort());
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

  describe("dry run of an audience's last received snapshot", () => {
    /** Every row of the schema, table by table: what a dry run must leave as it was. */
    const schemaRows = async () => {
      const tables = (await db.dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)) as Array<{ tablename: string }>;
      const rows: Record<string, string> = {};
      for (const { tablename } of tables) {
        const [row] = await db.dataSource.query(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') AS digest FROM "${tablename}" t`);
        rows[tablename] = row.digest;
      }
      return rows;
    };
    /** What the outbox says happened to each import since it was last read: like ImportEffect. */
    const effectsInOutbox = async () => {
      const effects = new Map<string, { importId: string; added: number; removed: number; matched: number; unmatched: number; matchRate: number }>();
      for (const { event } of await db.takeOutbox()) {
        const data = event?.data as { importId: string; added?: string[]; removed?: string[]; counts?: { matched: number; unmatched: number }; matchRate?: number };
        if (event?.type !== EventTypes.campaignImportedListMembersChanged && event?.type !== EventTypes.campaignImportCompleted) continue;
        const effect = effects.get(data.importId) ?? { importId: data.importId, added: 0, removed: 0, matched: 0, unmatched: 0, matchRate: 0 };
        effects.set(data.importId, effect);
        if (event.type === EventTypes.campaignImportedListMembersChanged) {
          effect.added += data.added!.length;
          effect.removed += data.removed!.length;
        } else Object.assign(effect, { matched: data.counts!.matched, unmatched: data.counts!.unmatched, matchRate: data.matchRate });
      }
      return [...effects.values()].sort((a, b) => a.importId.localeCompare(b.importId));
    };
    const sendSnapshot = (orgId: string, audienceId: string, key: string, parts: string[][]) =>
      parts.reduce<Promise<void>>(
        (previous, ids, part) => previous.then(() => db.transaction((tx) => flow.receive.execute(tx, orgId, chunk(audienceId, key, part, part === parts.length - 1, ids)))),
        Promise.resolve(),
      );

    it('predicts exactly what the snapshot would do again after links changed and deltas were applied, writing nothing', async () => {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(dryRunScenario(), async (scenario) => {
          const full = await newImport(`org-dry-snapshot-${++round}`);
          const merged = await flow.createImport.execute(full.orgId, { audienceId: full.audienceId, dataSourceId: 'visitor', mode: 'delta', listLabel: 'merged' });
          const links = (batch: LinkStep) => link(full.orgId, batch.links);
          for (const batch of scenario.linksBefore) await links(batch);
          await sendSnapshot(full.orgId, full.audienceId, `${full.orgId}-s`, scenario.snapshot);
          for (const [n, step] of scenario.after.entries()) {
            if (step.kind === 'link') await links(step);
            else await db.transaction((tx) => flow.receive.execute(tx, full.orgId, chunk(full.audienceId, `${full.orgId}-d${n}`, 0, true, step.added, step.removed, 'delta')));
          }
          await db.takeOutbox();
          const before = await schemaRows();

          const dry = await flow.dryRun.execute(full.orgId, full.audienceId);
          expect(await db.takeOutbox()).toEqual([]);
          expect(await schemaRows()).toEqual(before);
          expect(dry.snapshot).toMatchObject({ key: `xc:${full.orgId}-s`, idType: 'visitor', ids: scenario.snapshot.flat().length, parts: scenario.snapshot.length });

          // The same snapshot again, for real: what the outbox says it did is what the dry run said.
          await sendSnapshot(full.orgId, full.audienceId, `${full.orgId}-again`, scenario.snapshot);
          const real = await effectsInOutbox();
          expect(real.map((effect) => effect.importId)).toEqual([full.importId, merged.id].sort());
          expect([...dry.effects].sort((a, b) => a.importId.localeCompare(b.importId)).map(({ listId: _listId, ...effect }) => effect)).toEqual(real);
        }),
        { seed: SEED, numRuns: Math.ceil(RUNS / 2) },
      );
    });

    it('sends a kept snapshot of more than one chunk again a chunk at a time, an id kept in two parts counted once', async () => {
      const job = await newImport('org-dry-big');
      const ids = Array.from({ length: 14_000 }, (_, i) => ecid(i));
      await link(
        job.orgId,
        ids.filter((_, i) => i % 3 === 0).map((id, i) => [id, `rcp-${i}`]),
      );
      // 10,000 ids, then 4,100 of which 100 were in the first part: 14,100 kept, 14,000 distinct.
      const parts = [ids.slice(0, 10_000), ids.slice(9_900)];
      await sendSnapshot(job.orgId, job.audienceId, 'big', parts);
      await link(
        job.orgId,
        ids.filter((_, i) => i % 7 === 0).map((id) => [id, null]),
      );
      // Since: a delta took 1,000 of the ids out of the list.
      await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunk(job.audienceId, 'big-delta', 0, true, [], ids.slice(0, 1_000), 'delta')));
      await db.takeOutbox();
      const dry = await flow.dryRun.execute(job.orgId, job.audienceId);
      expect(dry.snapshot).toMatchObject({ ids: 14_100, parts: 2 });
      expect(await db.takeOutbox()).toEqual([]);
      await sendSnapshot(job.orgId, job.audienceId, 'big-again', parts);
      const [real] = await effectsInOutbox();
      expect(dry.effects).toEqual([{ ...real, listId: job.listId }]);
      expect(real.matched + real.unmatched).toBe(14_000);
      expect(real.added).toBe(ids.slice(0, 1_000).filter((_, i) => i % 3 === 0 && i % 7 !== 0).length);
    });

    it('answers not-found when the audience has no kept snapshot: none received, only deltas, none complete, or no import took it', async () => {
      const job = await newImport('org-dry-none');
      await expect(flow.dryRun.execute(job.orgId, job.audienceId)).rejects.toMatchObject({ code: 'not-found', status: 404 });
      await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunk(job.audienceId, 'delta', 0, true, [ecid(1)], [], 'delta')));
      await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunk(job.audienceId, 'half', 0, false, [ecid(2)])));
      await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunk('aud-nobody-imports', 'other', 0, true, [ecid(3)])));
      await expect(flow.dryRun.execute(job.orgId, job.audienceId)).rejects.toMatchObject({ code: 'not-found' });
      await expect(flow.dryRun.execute(job.orgId, 'aud-nobody-imports')).rejects.toMatchObject({ code: 'not-found' });
      await expect(flow.dryRun.execute('org-someone-else', job.audienceId)).rejects.toMatchObject({ code: 'not-found' });
    });

    it('keeps one snapshot per audience: the newer complete one replaces the first, and the janitor drops the first', async () => {
      const job = await newImport('org-dry-replace');
      const kept = async () =>
        (await db.dataSource.query(
          `SELECT state, count(*)::int AS n FROM received_snapshots r JOIN received_snapshot_chunks c USING (snapshot_id), string_to_table(c.ids, ':') WHERE r.org_id = $1 GROUP BY state ORDER BY state`,
          [job.orgId],
        )) as Array<{ state: string; n: number }>;
      await sendSnapshot(job.orgId, job.audienceId, 'first', [[ecid(1), ecid(2)], [ecid(3)]]);
      expect((await flow.dryRun.execute(job.orgId, job.audienceId)).snapshot).toMatchObject({ key: 'xc:first', ids: 3, parts: 2 });
      // A third snapshot starts, then the second arrives whole: the third, started earlier, is moot like the first.
      await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunk(job.audienceId, 'third', 0, false, [ecid(9)])));
      await sendSnapshot(job.orgId, job.audienceId, 'second', [[ecid(4)]]);
      await db.transaction((tx) => flow.receive.execute(tx, job.orgId, chunk(job.audienceId, 'third', 1, true, [ecid(8)])));
      expect((await flow.dryRun.execute(job.orgId, job.audienceId)).snapshot).toMatchObject({ key: 'xc:second', ids: 1, parts: 1 });
      expect(await kept()).toEqual([
        { state: 'kept', n: 1 },
        { state: 'superseded', n: 4 },
      ]);
      while (await db.transaction((tx) => flow.receivedSnapshots.purgeSomeSuperseded(tx)));
      expect(await kept()).toEqual([{ state: 'kept', n: 1 }]);
      expect(await db.dataSource.query(`SELECT snapshot_key FROM received_snapshots WHERE org_id = $1`, [job.orgId])).toEqual([{ snapshot_key: 'xc:second' }]);
      // A dry run keeps nothing of its own.
      expect((await flow.dryRun.execute(job.orgId, job.audienceId)).snapshot).toMatchObject({ key: 'xc:second' });
      expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM received_snapshots WHERE org_id = $1`, [job.orgId])).toEqual([{ n: 1 }]);
    });

    it("covers the kept ids in privacy requests: access shows them, the dry run counts them, delete erases them (the org's only)", async () => {
      const job = await newImport('org-dry-privacy');
      const other = await newImport('org-dry-privacy-other');
      await sendSnapshot(job.orgId, job.audienceId, 'kept', [[ecid(1), ecid(2)]]);
      await sendSnapshot(other.orgId, other.audienceId, 'kept', [[ecid(1)]]);
      const subject = { ecids: [ecid(1)], declaredIds: [], recipientIds: [] };
      await db.transaction(async (tx) => {
        expect((await flow.privacy.rowsHeld(tx, job.orgId, subject)).received_snapshot_ids).toEqual([expect.objectContaining({ xc_id: ecid(1) })]);
        expect(await flow.privacy.countHeld(tx, job.orgId, subject)).toMatchObject({ received_snapshot_ids: 1 });
        expect(await flow.privacy.eraseHeld(tx, job.orgId, subject)).toMatchObject({ received_snapshot_ids: 1 });
      });
      const ids = async (orgId: string) =>
        (
          await db.dataSource.query(
            `SELECT xc_id FROM received_snapshot_chunks c JOIN received_snapshots USING (snapshot_id), string_to_table(c.ids, ':') AS xc_id WHERE org_id = $1 ORDER BY xc_id`,
            [orgId],
          )
        ).map((row: { xc_id: string }) => row.xc_id);
      expect(await ids(job.orgId)).toEqual([ecid(2)]);
      expect(await ids(other.orgId)).toEqual([ecid(1)]);
      // The dry run sends what is left, and says so.
      expect((await flow.dryRun.execute(job.orgId, job.audienceId)).snapshot).toMatchObject({ ids: 1 });
    });
  });

  // Last: it empties the replica of every org in the schema.
  it("does not trust a lookup ahead made before an operator emptied the replica (a rebuild's first step)", async () => {
    const job = await newImport('org-ahead-truncated');
    await link(job.orgId, [[ecid(1), 'rcp-a']]);
    const early = chunk(job.audienceId, 'truncated', 0, true, [ecid(1), ecid(2)]);
    const ahead = await flow.receive.resolveAhead(job.orgId, early, { fromIds: 0 });
    await db.dataSource.query(`TRUNCATE identity_links`);
    await db.transaction((tx) => flow.receive.execute(tx, job.orgId, early, ahead));
    expect(await listOf(job.importId)).toEqual([]);
    expect(await pendingOf(job.importId)).toEqual([ecid(1), ecid(2)]);
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

type FullSnapshotScenario = { snapshots: string[][][]; steps: Array<ChunkStep | LinkStep> };

/** 1-3 full snapshots of the pool, their parts (and a few resends) shuffled among link batches. */
function fullSnapshotScenario(): fc.Arbitrary<FullSnapshotScenario> {
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

type DeltaStep = { kind: 'delta'; added: string[]; removed: string[] };

/** A full snapshot of the pool in 1-3 parts, link batches before it, then link batches and one-part deltas in any order. */
function dryRunScenario() {
  const delta = fc
    .tuple(fc.subarray(POOL), fc.subarray(POOL))
    .map(([added, removed]): DeltaStep => ({ kind: 'delta', added, removed: removed.filter((id) => !added.includes(id)) }));
  return fc.record({
    linksBefore: fc.array(linkBatch(), { maxLength: 3 }),
    snapshot: fc.subarray(POOL).chain(parts),
    after: fc.array(fc.oneof(linkBatch(), delta), { maxLength: 5 }),
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
  const receivedSnapshots = new ReceivedSnapshotsRepository();
  const effects = new ImportEffectsRepository();
  const receive = new ReceiveSnapshotChunkUseCase(ds, imports, runs, catalog, dataSources, policies, applySnapshot, new SuppressionsRepository(), receivedSnapshots);
  return {
    imports,
    runs,
    catalog,
    lists: new ListsRepository(ds),
    replica: new IdentityReplicaRepository(),
    lateLinks: new LateLinksListener(new PendingRepository(), imports),
    createImport: new CreateImportUseCase(ds, imports, catalog, dataSources, policies, orgs),
    receive,
    receivedSnapshots,
    dryRun: new DryRunSnapshotUseCase(ds, receivedSnapshots, receive, effects),
    privacy: new PrivacyRepository(),
    importFile: new ImportFileUseCase(ds, new FilesRepository(ds), dataSources, receive, { IMPORT_MAX_ERROR_RATIO: 0.01 } as ImportConfig, effects),
  };
}
