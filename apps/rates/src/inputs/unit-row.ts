import type { UnitType } from '@app/contracts';
import type { UnitRecord } from '@app/domain';

/** A row of rates_units: the latest upsert and the latest retirement of a unit, each at its own revision. */
export interface UnitRow {
  code: string;
  type: UnitType | null;
  admin_parent_code: string | null;
  accountable_to_code: string | null;
  level: number | null;
  active: boolean | null;
  upsert_revision: number | null;
  retired_on: string | null;
  retire_revision: number | null;
}

export const UNIT_COLUMNS = `code, type, admin_parent_code, accountable_to_code, level, active, upsert_revision, retired_on::text AS retired_on, retire_revision`;

export function unitRecordOf(row: UnitRow): UnitRecord {
  return {
    code: row.code,
    upsert:
      row.type !== null && row.upsert_revision !== null
        ? {
            type: row.type,
            adminParentCode: row.admin_parent_code,
            accountableToCode: row.accountable_to_code,
            level: row.level,
            active: row.active ?? true,
            revision: row.upsert_revision,
          }
        : null,
    retirement:
      row.retired_on !== null && row.retire_revision !== null ? { retiredOn: row.retired_on, revision: row.retire_revision } : null,
  };
}
