import type { Bloc, UnitType } from '@app/contracts';
import { TRA_VINH_TARGET_NAMES_VI } from '../migrations/1764806400100-NamesAndContacts';
import type { TargetDefinition } from '../targets/target.rules';

/**
 * The Trà Vinh deployment of directive 3359/UBND-CNXD (21/08/2020): the organisations it addresses, by
 * our own codes (GSO codes are digits; ours are upper-case and cannot clash with them). docs/registry.md
 * lists the same codes. The administrative units come from data/tra-vinh-units.csv, the zones from
 * data/tra-vinh-zones.csv, the population from data/tra-vinh-population-2019.csv.
 */
export const PROVINCE_CODE = '84';
export const EZ_BOARD_CODE = 'BQL-KKT';

/**
 * The head of every organisation the directive addresses, until the DIC enters the real one: a placeholder,
 * said to be one in its name (officials see "Chưa cập nhật" beside a laggard, never a made-up person), with
 * no phone or e-mail (a made-up number could ring a real one).
 */
export const PLACEHOLDER_HEAD = Object.freeze({
  name: 'Chưa cập nhật (dữ liệu mẫu, cần nhập người đứng đầu)',
  title: 'Thủ trưởng đơn vị',
  phone: null,
  email: null,
});

export interface SeedOrganisation {
  readonly code: string;
  readonly name: string;
  readonly type: UnitType;
  readonly bloc: Bloc | null;
  /** What the directive asks of it (documentation only). */
  readonly role: string;
}

export const TRA_VINH_ORGANISATIONS: readonly SeedOrganisation[] = [
  {
    code: 'SO-TTTT',
    name: 'Sở Thông tin và Truyền thông tỉnh Trà Vinh',
    type: 'department',
    bloc: 'state',
    role: 'Department of Information and Communications: coordinates, monitors, reports to the chairman',
  },
  {
    code: 'SO-GTVT',
    name: 'Sở Giao thông vận tải tỉnh Trà Vinh',
    type: 'department',
    bloc: 'state',
    role: 'Department of Transport: bus stations and ferry terminals',
  },
  {
    code: 'SO-VHTTDL',
    name: 'Sở Văn hóa, Thể thao và Du lịch tỉnh Trà Vinh',
    type: 'department',
    bloc: 'state',
    role: 'Department of Culture, Sports and Tourism: tourism and entertainment businesses',
  },
  {
    code: EZ_BOARD_CODE,
    name: 'Ban Quản lý Khu kinh tế tỉnh Trà Vinh',
    type: 'department',
    bloc: 'state',
    role: 'Economic Zone Management Board: enterprises in the economic zone and industrial parks',
  },
  {
    code: 'LDLD-TV',
    name: 'Liên đoàn Lao động tỉnh Trà Vinh',
    type: 'mass_org',
    bloc: 'front',
    role: 'Labour Federation: enterprise trade unions, 100% of workers',
  },
  {
    code: 'HLHPN-TV',
    name: 'Hội Liên hiệp Phụ nữ tỉnh Trà Vinh',
    type: 'mass_org',
    bloc: 'front',
    role: "Women's Union: mobilise members",
  },
  {
    code: 'HCCB-TV',
    name: 'Hội Cựu chiến binh tỉnh Trà Vinh',
    type: 'mass_org',
    bloc: 'front',
    role: "Veterans' Association: mobilise members",
  },
  { code: 'HND-TV', name: 'Hội Nông dân tỉnh Trà Vinh', type: 'mass_org', bloc: 'front', role: "Farmers' Association: mobilise members" },
  {
    code: 'TINH-DOAN-TV',
    name: 'Tỉnh Đoàn Trà Vinh',
    type: 'mass_org',
    bloc: 'front',
    role: 'Youth Union: propaganda teams through district and commune youth unions',
  },
  {
    code: 'BUU-DIEN-TV',
    name: 'Bưu điện tỉnh Trà Vinh',
    type: 'post_office',
    bloc: null,
    role: 'Provincial Post Office: support points in the communes',
  },
  { code: 'VNPT-TV', name: 'VNPT Trà Vinh', type: 'telecom', bloc: null, role: 'telecom operator: support points, help customers install' },
  {
    code: 'VIETTEL-TV',
    name: 'Viettel Trà Vinh',
    type: 'telecom',
    bloc: null,
    role: 'telecom operator: support points, help customers install',
  },
  {
    code: 'MOBIFONE-TV',
    name: 'MobiFone Trà Vinh',
    type: 'telecom',
    bloc: null,
    role: 'telecom operator: support points, help customers install',
  },
];

/** Our code for a zone of data/tra-vinh-zones.csv: KKT-/KCN- and the place name without diacritics ("Định An" → KKT-DINH-AN). */
export function zoneCode(kind: 'economic_zone' | 'industrial_park', name: string): string {
  const place = name
    .normalize('NFC')
    .replace(/^Khu kinh tế\s+|^Khu công nghiệp\s+/i, '')
    .replace(/[đĐ]/g, 'd')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-');
  return `${kind === 'economic_zone' ? 'KKT' : 'KCN'}-${place}`;
}

export const SUBJECT_COHORTS = ['staff', 'students', 'youth_members', 'association_members', 'enterprise_workers'] as const;

/** The directive's two targets: MIC's 50% of residents by 20/08, and 100% Bluetooth on among smartphone holders by 30/08. */
export const TRA_VINH_TARGETS: readonly TargetDefinition[] = [
  {
    targetId: 'residents-50',
    nameVi: TRA_VINH_TARGET_NAMES_VI['residents-50'],
    nameEn: 'Residents with Bluezone installed ≥ 50% of the population by 2020-08-20',
    metric: 'resident_rate',
    cohorts: ['residents'],
    tree: 'administrative',
    // Communes report their residents; districts and the province are their sums.
    scopeUnitTypes: ['commune'],
    scopeLevels: [],
    threshold: 0.5,
    deadline: '2020-08-20',
    campaignStart: '2020-08-04',
    reportingWindowDays: 7,
  },
  {
    targetId: 'members-100',
    nameVi: TRA_VINH_TARGET_NAMES_VI['members-100'],
    nameEn:
      'Staff, students, youth and association members, enterprise workers with a smartphone: 100% installed with Bluetooth on by 2020-08-30',
    metric: 'bluetooth_rate',
    cohorts: [...SUBJECT_COHORTS],
    tree: 'accountability',
    scopeUnitTypes: [],
    scopeLevels: [],
    threshold: 1,
    deadline: '2020-08-30',
    campaignStart: '2020-08-21',
    reportingWindowDays: 7,
  },
];
