import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16: what officials read in Vietnamese, and how to reach a head.
 * - Targets get a Vietnamese and an English name (`name` becomes `name_en`). The Trà Vinh targets take their
 *   Vietnamese names from directive 3359/UBND-CNXD (seed/directive-3359-UBND-CNXD.vi.txt); any other target
 *   keeps its one name in both until an admin sets them. Every target is marked to be published again
 *   (registry.target.set v2, a new revision) by the registry at its next start (TargetsService), since a
 *   migration does not know the event namespace and the read models learn names only from events.
 * - Heads get a phone (E.164) and an e-mail (personal data: docs/data-protection.md).
 */
export const TRA_VINH_TARGET_NAMES_VI: Readonly<Record<string, string>> = {
  'residents-50': 'Tỷ lệ người dân cài đặt ứng dụng Bluezone đạt 50% dân số đến ngày 20/8/2020',
  'members-100':
    '100% cán bộ, công chức, viên chức, người lao động, học sinh, sinh viên, đoàn viên, hội viên có điện thoại thông minh cài đặt ứng dụng Bluezone và luôn mở Bluetooth đến ngày 30/8/2020',
};

export class NamesAndContacts1764806400100 implements MigrationInterface {
  name = 'NamesAndContacts1764806400100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE targets RENAME COLUMN name TO name_en`);
    await q.query(`ALTER TABLE targets ADD COLUMN name_vi text`);
    await q.query(`UPDATE targets SET name_vi = name_en`);
    for (const [id, nameVi] of Object.entries(TRA_VINH_TARGET_NAMES_VI)) {
      await q.query(`UPDATE targets SET name_vi = $2 WHERE id = $1`, [id, nameVi]);
    }
    await q.query(`ALTER TABLE targets ALTER COLUMN name_vi SET NOT NULL`);
    await q.query(`ALTER TABLE targets ADD COLUMN republish boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE targets SET republish = true`);
    await q.query(`ALTER TABLE org_units ADD COLUMN head_phone text, ADD COLUMN head_email text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE org_units DROP COLUMN head_phone, DROP COLUMN head_email`);
    await q.query(`ALTER TABLE targets DROP COLUMN republish, DROP COLUMN name_vi`);
    await q.query(`ALTER TABLE targets RENAME COLUMN name_en TO name`);
  }
}
