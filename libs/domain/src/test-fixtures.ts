import type { Cohort, UnitType } from '@app/contracts';
import type { UnitNode } from './org-tree';
import type { ReportInput } from './supersession';

/** Builders for the domain specs (kept beside them; not exported from the lib). */
export function unit(code: string, type: UnitType, parents: { admin?: string; acc?: string; level?: number; retiredOn?: string } = {}): UnitNode {
  return { code, type, adminParentCode: parents.admin ?? null, accountableToCode: parents.acc ?? null, level: parents.level ?? null, retiredOn: parents.retiredOn ?? null };
}

let seq = 0;
export function report(unitCode: string, cohort: Cohort, asOf: string, counts: [number, number, number, number], revision = 1, reportId?: string): ReportInput {
  const [headcount, smartphoneHolders, installed, bluetoothOn] = counts;
  return { unitCode, cohort, asOf, revision, reportId: reportId ?? `r${String(++seq).padStart(6, '0')}`, headcount, smartphoneHolders, installed, bluetoothOn };
}
