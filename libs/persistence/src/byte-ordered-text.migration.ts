import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every text column of the service's schema compares bytes (COLLATE "C"). The schemas hold
 * identifiers, keys and topic names, which nothing sorts for people, and a linguistic collation
 * costs a strcoll call per comparison and no abbreviated keys: with the database's C.UTF-8, the
 * (run_id, recipient_id) index of a million-member import took 7.6 s to fill against 5.5 s
 * byte-ordered, and every id index pays the same way. Comparisons between a byte-ordered column
 * and a parameter or an unannotated temporary column resolve to "C" (a column's collation wins
 * over the default), so the indexes stay usable. Tables created later declare it themselves
 * (`text COLLATE "C"`, see docs/architecture.md).
 *
 * No heap rewrite: text to text is binary coercible; the indexes over the columns are rebuilt.
 */
export class ByteOrderedText1764401400000 implements MigrationInterface {
  name = 'ByteOrderedText1764401400000';

  async up(runner: QueryRunner): Promise<void> {
    await setCollation(runner, '"C"');
  }

  async down(runner: QueryRunner): Promise<void> {
    await setCollation(runner, '"default"');
  }
}

async function setCollation(runner: QueryRunner, collation: '"C"' | '"default"'): Promise<void> {
  // (TypeORM's own migrations table has no text column: its name is a varchar.)
  // A migration's QueryRunner answers rows untyped: declared here.
  const columns = (await runner.query(
    `SELECT c.table_name, c.column_name
       FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.data_type = 'text'
      ORDER BY c.table_name, c.ordinal_position`,
  )) as Array<{ table_name: string; column_name: string }>;
  const byTable = new Map<string, string[]>();
  for (const column of columns) {
    const alter = `ALTER COLUMN "${column.column_name}" TYPE text COLLATE ${collation}`;
    byTable.set(column.table_name, [...(byTable.get(column.table_name) ?? []), alter]);
  }
  for (const [table, alters] of byTable) await runner.query(`ALTER TABLE "${table}" ${alters.join(', ')}`);
}
