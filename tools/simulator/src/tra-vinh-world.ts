import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreatedUnit, World } from './scenario';

/** The Trà Vinh world of the tests (the registry's reference units, data/tra-vinh-units.csv), without a registry. */
export function traVinhWorld(): World {
  const lines = readFileSync(join(__dirname, '../../../data/tra-vinh-units.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
  const rows = lines.map((l) => l.split(','));
  return {
    province: '84',
    provincePopulation: 1009168,
    districts: rows.filter((r) => r[3] === '2').map((r) => ({ code: r[0], name: r[1] })),
    communes: rows.filter((r) => r[3] === '3').map((r) => ({ code: r[0], name: r[1], districtCode: r[4] })),
    agencies: [
      { code: 'SO-TTTT', name: 'Sở Thông tin và Truyền thông', type: 'department' },
      { code: 'TINH-DOAN', name: 'Tỉnh Đoàn', type: 'mass_org', memberCohort: 'youth_members' },
      { code: 'HOI-LHPN', name: 'Hội Liên hiệp Phụ nữ', type: 'mass_org', memberCohort: 'association_members' },
    ],
    zones: [
      { code: 'KKT-DINHAN', name: 'Khu kinh tế Định An' },
      { code: 'KCN-LONGDUC', name: 'Khu công nghiệp Long Đức' },
    ],
    transportDepartment: 'SO-GTVT',
    educationDepartment: 'SO-GDDT',
    operators: [
      { code: 'VNPT-TV', type: 'telecom' },
      { code: 'BUUDIEN-TV', type: 'post_office' },
    ],
  };
}

/** Each unit's parent on both trees, as the registry holds them after the simulator's set-up. */
export function links(world: World, created: readonly CreatedUnit[]) {
  const adminParent = new Map<string, string | null>();
  const accountableTo = new Map<string, string | null>();
  for (const d of world.districts) {
    adminParent.set(d.code, '84');
    accountableTo.set(d.code, '84');
  }
  for (const c of world.communes) {
    adminParent.set(c.code, c.districtCode);
    accountableTo.set(c.code, c.districtCode);
  }
  for (const a of world.agencies) accountableTo.set(a.code, '84');
  for (const z of world.zones) accountableTo.set(z.code, '84');
  for (const u of created) {
    adminParent.set(u.code, u.adminParentCode);
    accountableTo.set(u.code, u.accountableToCode);
  }
  return { adminParent, accountableTo };
}
