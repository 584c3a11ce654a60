import type { Cohort, TargetSetV1Data, TargetSetV2Data, UnitType } from '@app/contracts';
import { computableSpan, type DateSpan, type ReportInput, type Target, type UnitNode } from '@app/domain';

/** Builders for the domain specs (kept beside them; not exported from the lib). */
export function unit(
  code: string,
  type: UnitType,
  parents: { admin?: string; acc?: string; level?: number; retiredOn?: string } = {},
): UnitNode {
  return {
    code,
    type,
    adminParentCode: parents.admin ?? null,
    accountableToCode: parents.acc ?? null,
    level: parents.level ?? null,
    retiredOn: parents.retiredOn ?? null,
  };
}

let seq = 0;
export function report(
  unitCode: string,
  cohort: Cohort,
  asOf: string,
  counts: [number, number, number, number],
  revision = 1,
  reportId?: string,
): ReportInput {
  const [headcount, smartphoneHolders, installed, bluetoothOn] = counts;
  return {
    unitCode,
    cohort,
    asOf,
    revision,
    reportId: reportId ?? `r${String(++seq).padStart(6, '0')}`,
    headcount,
    smartphoneHolders,
    installed,
    bluetoothOn,
  };
}

/** The directive's resident target (≥ 50% of residents in every commune by 2020-08-20), as registry.target.set v1 carries it. */
export const RESIDENTS_50: TargetSetV1Data = {
  targetId: 'residents-50',
  name: 'Residents ≥ 50% by 2020-08-20',
  metric: 'resident_rate',
  cohorts: ['residents'],
  tree: 'administrative',
  scopeUnitTypes: ['commune'],
  scopeLevels: [],
  threshold: 0.5,
  deadline: '2020-08-20',
  campaignStart: '2020-08-04',
  reportingWindowDays: 7,
  revision: 1,
};

/** Staff and enterprise workers with Bluetooth on (the accountability tree, every type that reports either). */
export const STAFF_AND_WORKERS_BT: TargetSetV1Data = {
  targetId: 'staff-bt',
  name: 'Staff and workers',
  metric: 'bluetooth_rate',
  cohorts: ['staff', 'enterprise_workers'],
  tree: 'accountability',
  scopeUnitTypes: [],
  scopeLevels: [],
  threshold: 0.8,
  deadline: '2020-08-25',
  campaignStart: null,
  reportingWindowDays: 3,
  revision: 1,
};
/** The same target as the domain holds it (registry.target.set v2, with its two names). */
export const RESIDENTS_50_TARGET: Target = (({ name: _name, ...rest }) => ({
  ...rest,
  nameVi: 'Người dân cài đặt ứng dụng Bluezone ≥ 50% dân số trước ngày 20/08/2020',
  nameEn: 'Residents ≥ 50% by 2020-08-20',
}))(RESIDENTS_50);

/** The computable days of the specs' campaign: from its start to the horizon after a fixed "today" late in 2020. */
export const BOUNDS_2020: DateSpan = computableSpan('2020-01-01', '2020-12-31');

/** A v1 target as the domain holds it (the v1 name standing for both names, as the upcaster does). */
export function targetOf({ name, ...rest }: TargetSetV1Data): TargetSetV2Data {
  return { ...rest, nameVi: name, nameEn: name };
}
