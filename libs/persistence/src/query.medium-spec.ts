import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createServiceDataSource } from './data-source';
import { withDatabaseName } from './database-url';
import { copyRows } from './copy';
import { query, queryOne, queryRows } from './query';

// The medium run's database (test/setup/medium-setup.ts makes it). Named here rather than taken
// from libs/testing, which depends on this lib: a spec importing it would close a cycle.
const databaseUrl = withDatabaseName(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', `${process.env.TEST_DATABASE_NAME ?? 'audience_hub_test'}_medium`);

describe('query: typed rows and one row count for every statement kind', () => {
  const schema = `query_m${randomBytes(4).toString('hex')}`;
  let db: DataSource;

  beforeAll(async () => {
    db = createServiceDataSource({ url: databaseUrl, schema, migrations: [], poolSize: 2 });
    await db.initialize();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.items (id int PRIMARY KEY, name text NOT NULL)`);
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.destroy();
  });

  it('counts rows written and returned the same way, with or without RETURNING, in and out of a transaction', async () => {
    expect((await query(db, `INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')`)).rowCount).toBe(3);
    await db.transaction(async (tx) => {
      const inserted = await query<{ id: number }>(tx, `INSERT INTO items VALUES (4, 'd') ON CONFLICT DO NOTHING RETURNING id`);
      expect(inserted).toEqual({ rows: [{ id: 4 }], rowCount: 1 });
      expect((await query(tx, `INSERT INTO items VALUES (4, 'd') ON CONFLICT DO NOTHING RETURNING id`)).rowCount).toBe(0);
      expect((await query(tx, `UPDATE items SET name = upper(name) WHERE id <= $1`, [2])).rowCount).toBe(2);
      const updated = await query<{ id: number; name: string }>(tx, `UPDATE items SET name = name || '!' WHERE id = $1 RETURNING id, name`, [1]);
      expect(updated).toEqual({ rows: [{ id: 1, name: 'A!' }], rowCount: 1 });
      const deleted = await query<{ id: number }>(tx, `DELETE FROM items WHERE id >= $1 RETURNING id`, [3]);
      expect(deleted.rowCount).toBe(2);
      expect(deleted.rows.map((row) => row.id).sort()).toEqual([3, 4]);
      expect((await query(tx, `DELETE FROM items WHERE id = $1`, [2])).rowCount).toBe(1);
      expect(await queryRows<{ id: number }>(tx, `SELECT id FROM items ORDER BY id`)).toEqual([{ id: 1 }]);
    });
    expect((await query(db, `SELECT id FROM items`)).rowCount).toBe(1);
    expect(await queryOne(db, `SELECT id FROM items WHERE id = $1`, [99])).toBeUndefined();
    expect(await query(db, `SET statement_timeout = 0`)).toEqual({ rows: [], rowCount: 0 });
  });

  it('copies rows on the transaction’s own connection', async () => {
    await db.transaction(async (tx) => {
      await copyRows(
        tx,
        'items',
        ['id', 'name'],
        [
          [10, 'tab\there'],
          [11, 'x'],
        ],
      );
      expect(await queryRows<{ name: string }>(tx, `SELECT name FROM items WHERE id >= 10 ORDER BY id`)).toEqual([{ name: 'tab\there' }, { name: 'x' }]);
    });
  });
});
