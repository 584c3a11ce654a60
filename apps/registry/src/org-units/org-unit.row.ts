import type { Bloc, OrgUnitUpsertedV2Data, UnitType } from '@app/contracts';
import type { TreeNode, UnitDraft } from './org-unit.rules';

/** A row of org_units as the registry reads it (dates as YYYY-MM-DD text, never JS dates). */
export interface OrgUnitRow {
  code: string;
  name: string;
  type: UnitType;
  bloc: Bloc | null;
  admin_parent_code: string | null;
  accountable_to_code: string | null;
  head_name: string | null;
  head_title: string | null;
  /** E.164. */
  head_phone: string | null;
  head_email: string | null;
  level: number | null;
  active: boolean;
  retired_on: string | null;
  revision: number;
}

/** The columns of an OrgUnitRow, for SELECT and RETURNING. */
export const ORG_UNIT_COLUMNS = `code, name, type, bloc, admin_parent_code, accountable_to_code, head_name, head_title, head_phone, head_email, level, active,
  retired_on::text AS retired_on, revision`;

export const SELECT_ORG_UNIT = `SELECT ${ORG_UNIT_COLUMNS} FROM org_units`;

export function treeNodeOf(r: OrgUnitRow): TreeNode {
  return { code: r.code, type: r.type, active: r.active, adminParentCode: r.admin_parent_code, accountableToCode: r.accountable_to_code };
}

/** True when the draft would change nothing in the row (then nothing is written and nothing published). */
export function sameAsDraft(r: OrgUnitRow, d: UnitDraft, level: number | null): boolean {
  return (
    r.active &&
    r.name === d.name &&
    r.type === d.type &&
    r.bloc === d.bloc &&
    r.admin_parent_code === d.adminParentCode &&
    r.accountable_to_code === d.accountableToCode &&
    r.head_name === (d.head?.name ?? null) &&
    r.head_title === (d.head?.title ?? null) &&
    r.head_phone === (d.head?.phone ?? null) &&
    r.head_email === (d.head?.email ?? null) &&
    r.level === level
  );
}

export function upsertedDataOf(r: OrgUnitRow): OrgUnitUpsertedV2Data {
  return {
    code: r.code,
    name: r.name,
    type: r.type,
    bloc: r.bloc,
    adminParentCode: r.admin_parent_code,
    accountableToCode: r.accountable_to_code,
    head:
      r.head_name !== null && r.head_title !== null
        ? { name: r.head_name, title: r.head_title, phone: r.head_phone, email: r.head_email }
        : null,
    level: r.level,
    active: r.active,
    revision: r.revision,
  };
}
