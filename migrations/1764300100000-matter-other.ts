import { MigrationInterface, QueryRunner } from 'typeorm';

const BEFORE = `'legal_civil','legal_labour','legal_criminal','violence','trafficking'`;

/** The fourth matter a caller can choose: `other` ("something else"); matching serves it from tier 3 on. */
export class MatterOther1764300100000 implements MigrationInterface {
  name = 'MatterOther1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpretation_requests DROP CONSTRAINT interpretation_requests_matter_check`);
    await q.query(`ALTER TABLE interpretation_requests ADD CONSTRAINT interpretation_requests_matter_check CHECK (matter IN (${BEFORE},'other'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpretation_requests DROP CONSTRAINT interpretation_requests_matter_check`);
    await q.query(`ALTER TABLE interpretation_requests ADD CONSTRAINT interpretation_requests_matter_check CHECK (matter IN (${BEFORE})) NOT VALID`);
  }
}
