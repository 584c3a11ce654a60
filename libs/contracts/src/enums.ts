// Shared vocabulary of the campaign. Values are part of the public API and of every event:
// add new members freely, never rename or remove one that has been published.

export const UNIT_TYPES = [
  'province',
  'district',
  'commune',
  'hamlet',
  'department',
  'mass_org',
  'economic_zone',
  'industrial_park',
  'enterprise',
  'transport_hub',
  'telecom',
  'post_office',
  'school',
  'venue',
] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

export const BLOCS = ['party', 'state', 'front'] as const;
export type Bloc = (typeof BLOCS)[number];

export const COHORTS = ['staff', 'students', 'youth_members', 'association_members', 'enterprise_workers', 'residents'] as const;
export type Cohort = (typeof COHORTS)[number];

export const TREES = ['administrative', 'accountability'] as const;
export type Tree = (typeof TREES)[number];

/** A person is counted in one tree per cohort (docs/domain.md): residents on the administrative tree, everyone else on the accountability tree. */
export function treeOfCohort(cohort: Cohort): Tree {
  return cohort === 'residents' ? 'administrative' : 'accountability';
}

export const ROLES = ['admin', 'portal', 'ez_board', 'transport', 'telecom', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIVITY_KINDS = [
  'broadcast',
  'door_to_door',
  'propaganda_team',
  'venue_outreach',
  'hq_visitor_check',
  'family_help',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export const VENUE_TYPES = ['food_drink', 'tourism', 'entertainment'] as const;
export type VenueType = (typeof VENUE_TYPES)[number];

export const METRICS = ['install_rate', 'bluetooth_rate', 'resident_rate'] as const;
export type Metric = (typeof METRICS)[number];

export const TARGET_STATUSES = ['met', 'on_track', 'at_risk', 'breached', 'no_data'] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

export const SERVICES = ['registry', 'intake', 'support-points', 'workforce', 'rates', 'compliance', 'notifier'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Which cohorts a unit of each type may report. The registry, intake and rates all judge by this one table. */
export const COHORTS_BY_UNIT_TYPE: Readonly<Record<UnitType, readonly Cohort[]>> = {
  province: ['residents', 'staff'],
  district: ['residents', 'staff'],
  commune: ['residents', 'staff'],
  hamlet: ['residents'],
  department: ['staff'],
  mass_org: ['staff', 'youth_members', 'association_members'],
  economic_zone: ['staff', 'enterprise_workers'],
  industrial_park: ['staff', 'enterprise_workers'],
  enterprise: ['enterprise_workers', 'staff'],
  transport_hub: ['staff'],
  telecom: ['staff'],
  post_office: ['staff'],
  school: ['staff', 'students'],
  venue: ['staff'],
};
