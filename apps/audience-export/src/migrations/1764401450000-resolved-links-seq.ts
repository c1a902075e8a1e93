import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A shared audience also remembers the identity clock its last update of either mode resolved
 * against (`resolved_links_seq`): an `add-only` update reads only the list's changes while the
 * clock has not moved since, and the whole list after a link changed, so a member's new ids are
 * added too. NULL (audiences resolved before this column) reads the whole list once.
 */
export class ResolvedLinksSeq1764401450000 implements MigrationInterface {
  name = 'ResolvedLinksSeq1764401450000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE shared_audiences ADD COLUMN resolved_links_seq bigint`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE shared_audiences DROP COLUMN resolved_links_seq`);
  }
}
