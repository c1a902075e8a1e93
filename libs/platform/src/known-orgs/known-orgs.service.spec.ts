import type { DataSource, EntityManager } from 'typeorm';
import { RejectEventError } from '@audience-hub/messaging';
import type { KnownOrgsOptions } from './known-orgs.options';
import { KnownOrgsRepository } from './known-orgs.repository';
import { KnownOrgsService } from './known-orgs.service';

const ORG = '5DC5123F5245B1D20A490D46@AdobeOrg';

/** A stand-in for one table of known orgs (and, for `alsoKnownFrom`, orgs with rows elsewhere). */
function fakeDatabase(elsewhere: string[] = []) {
  const orgs = new Map<string, string | null>();
  const queries: Array<{ sql: string; params: unknown[] }> = [];
  const rowsOf = (sql: string, params: unknown[]) => {
    queries.push({ sql, params });
    const orgId = params[0] as string;
    if (sql.startsWith('INSERT')) {
      const inserted = !orgs.has(orgId);
      orgs.set(orgId, (params[1] as string | null) ?? orgs.get(orgId) ?? null);
      return [{ inserted }];
    }
    return [{ known: orgs.has(orgId) || (sql.includes(' OR ') && elsewhere.includes(orgId)) }];
  };
  // A transaction's manager as persistence's query sees it: its runner answers the structured result.
  const tx = {
    queryRunner: {
      query: async (sql: string, params: unknown[]) => {
        const records = rowsOf(sql, params);
        return { records, affected: records.length };
      },
    },
  } as unknown as EntityManager;
  const dataSource = { transaction: async (work: (tx: EntityManager) => Promise<unknown>) => work(tx) } as unknown as DataSource;
  return { tx, dataSource, orgs, queries };
}

function serviceOn(db: ReturnType<typeof fakeDatabase>, options: KnownOrgsOptions) {
  return new KnownOrgsService(db.dataSource, new KnownOrgsRepository(options), options);
}

describe('KnownOrgsService', () => {
  it('rejects an event of an org never announced, naming the org', async () => {
    const db = fakeDatabase();
    const error = await serviceOn(db, { table: 'known_orgs' })
      .requireKnown(db.tx, ORG)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RejectEventError);
    expect(error).toMatchObject({ reason: `unknown org ${ORG}: not announced by IMS`, errors: [`orgid: unknown org ${ORG}`] });
  });

  it('accepts an announced org, then answers from memory', async () => {
    const db = fakeDatabase();
    const orgs = serviceOn(db, { table: 'known_orgs' });
    await orgs.register(db.tx, { orgId: ORG, name: 'Acme', createdAt: '2025-01-01T00:00:00Z' });
    const before = db.queries.length;
    await orgs.requireKnown(db.tx, ORG);
    expect(db.queries.length).toBe(before);
  });

  it('registers the org of a REST caller once, keeping a name already known', async () => {
    const db = fakeDatabase();
    const orgs = serviceOn(db, { table: 'orgs' });
    await orgs.register(db.tx, { orgId: ORG, name: 'Acme' });
    await serviceOn(db, { table: 'orgs' }).ensureKnown(ORG);
    expect(db.orgs.get(ORG)).toBe('Acme');
    await orgs.ensureKnown(ORG);
    expect(db.queries.filter((query) => query.sql.startsWith('INSERT'))).toHaveLength(2);
  });

  it('runs onFirstSeen only in the transaction that records the org first', async () => {
    const db = fakeDatabase();
    const firstSeen: string[] = [];
    const options: KnownOrgsOptions = { table: 'orgs', onFirstSeen: async (_tx, orgId) => void firstSeen.push(orgId) };
    await serviceOn(db, options).register(db.tx, { orgId: ORG, name: 'Acme' });
    await serviceOn(db, options).register(db.tx, { orgId: ORG, name: 'Acme' });
    await serviceOn(db, options).ensureKnown(ORG);
    expect(firstSeen).toEqual([ORG]);
  });

  it('counts an org known from the other table named by alsoKnownFrom', async () => {
    const db = fakeDatabase([ORG]);
    await expect(serviceOn(db, { table: 'known_orgs', alsoKnownFrom: 'data_sources' }).requireKnown(db.tx, ORG)).resolves.toBeUndefined();
    await expect(serviceOn(db, { table: 'known_orgs' }).requireKnown(db.tx, ORG)).rejects.toBeInstanceOf(RejectEventError);
  });
});

describe('KnownOrgsRepository', () => {
  it("writes IMS's creation time only where the table keeps it", async () => {
    const db = fakeDatabase();
    await new KnownOrgsRepository({ table: 'known_orgs', createdAtColumn: 'created_at' }).insert(db.tx, { orgId: ORG, name: 'Acme', createdAt: '2025-01-01T00:00:00Z' });
    await new KnownOrgsRepository({ table: 'orgs' }).insert(db.tx, { orgId: ORG, name: null, createdAt: '2025-01-01T00:00:00Z' });
    expect(db.queries.map(({ sql, params }) => [sql.match(/INSERT INTO (\w+) \(([^)]*)\)/)!.slice(1), params])).toEqual([
      [
        ['known_orgs', 'org_id, name, created_at'],
        [ORG, 'Acme', '2025-01-01T00:00:00Z'],
      ],
      [
        ['orgs', 'org_id, name'],
        [ORG, null],
      ],
    ]);
  });

  it('refuses table and column names that are not plain identifiers', () => {
    expect(() => new KnownOrgsRepository({ table: 'orgs; DROP TABLE orgs' })).toThrow(/not a plain lower-case SQL identifier/);
  });
});
