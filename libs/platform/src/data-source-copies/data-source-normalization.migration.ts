import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The copies of the data sources keep their reconciliation key's normalisation: XC's declared ids
 * are normalised with it before they are matched against the replica of the identity graph (whose
 * declared ids id-reconciliation normalised). Copies made before take it from the next definition
 * id-reconciliation publishes.
 */
export class DataSourceNormalization1764401200000 implements MigrationInterface {
  name = 'DataSourceNormalization1764401200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE data_sources ADD COLUMN normalization text[] NOT NULL DEFAULT '{}'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE data_sources DROP COLUMN normalization`);
  }
}
