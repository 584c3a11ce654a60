import type { TargetStatus, UnitType } from '@app/contracts';
import { assembleSnapshot, type StatusRow, type TargetRow, type UnitRow } from '../common/read-model.service';
import { changesSection, LARGEST_MOVES } from './changes.section';

const unit = (code: string, name: string, type: UnitType, parent: string | null): UnitRow => ({
  code,
  name,
  type,
  bloc: null,
  adminParentCode: parent,
  accountableToCode: parent,
  headName: null,
  headTitle: null,
  headPhone: null,
  headEmail: null,
  level: type === 'province' ? 1 : type === 'district' ? 2 : 3,
  active: true,
});

// Two wards named "Phường 1" (communes of the tree): one of the city of Trà Vinh, one of the town of Duyên Hải.
const UNITS = [
  unit('84', 'Tỉnh Trà Vinh', 'province', null),
  unit('842', 'Thành phố Trà Vinh', 'district', '84'),
  unit('851', 'Thị xã Duyên Hải', 'district', '84'),
  unit('28000', 'Phường 1', 'commune', '842'),
  unit('29500', 'Phường 1', 'commune', '851'),
  unit('29510', 'Phường 2', 'commune', '851'),
];

const target = (targetId: string, nameVi: string, nameEn: string, tree: 'administrative' | 'accountability'): TargetRow => ({
  targetId,
  name: nameVi,
  nameVi,
  nameEn,
  metric: tree === 'administrative' ? 'resident_rate' : 'install_rate',
  cohorts: tree === 'administrative' ? ['residents'] : ['staff'],
  tree,
  scopeUnitTypes: [],
  scopeLevels: [],
  threshold: 0.5,
  deadline: '2020-08-30',
  campaignStart: '2020-08-04',
  reportingWindowDays: 7,
  revision: 1,
});
const RESIDENTS = target(
  'T50',
  'Tỷ lệ người dân cài đặt ứng dụng Bluezone đạt 50% dân số đến ngày 30/8/2020',
  'Residents with Bluezone installed: 50% of the population by 30/8/2020',
  'administrative',
);
const STAFF = target('S50', 'Cán bộ cài đặt Bluezone đạt 50%', 'Staff with Bluezone installed: 50%', 'accountability');

const status = (t: TargetRow, code: string, date: string, s: TargetStatus, value: number): StatusRow => ({
  targetId: t.targetId,
  orgUnitCode: code,
  date,
  status: s,
  previousStatus: null,
  value,
  threshold: t.threshold,
  forecastDate: null,
  gap: 0,
  reportingUnits: null,
  expectedUnits: null,
  reporting: true,
});

const snapshot = (date: string, statuses: StatusRow[]) => assembleSnapshot(date, null, UNITS, [], statuses, [RESIDENTS, STAFF]);

describe('the daily report, section 9 (changes since the day before)', () => {
  const yesterday = snapshot('2020-08-20', [
    status(RESIDENTS, '28000', '2020-08-20', 'at_risk', 0.1),
    status(RESIDENTS, '29500', '2020-08-20', 'at_risk', 0.2),
    status(STAFF, '29510', '2020-08-20', 'at_risk', 0.3),
  ]);
  const today = snapshot('2020-08-21', [
    status(RESIDENTS, '28000', '2020-08-21', 'on_track', 0.45),
    status(RESIDENTS, '29500', '2020-08-21', 'on_track', 0.3),
    status(STAFF, '29510', '2020-08-21', 'met', 0.6),
  ]);

  it('names each target once, above its units, and each unit with the unit it reports to', () => {
    const lines = changesSection(today, yesterday, 'vi');
    const from = lines.indexOf('Các thay đổi lớn nhất:');
    expect(lines.slice(from)).toEqual([
      'Các thay đổi lớn nhất:',
      'Chỉ tiêu “Tỷ lệ người dân cài đặt ứng dụng Bluezone đạt 50% dân số đến ngày 30/8/2020”:',
      'Phường 1 (Thành phố Trà Vinh): 10,00% → 45,00% (+35,00 điểm phần trăm).',
      'Phường 1 (Thị xã Duyên Hải): 20,00% → 30,00% (+10,00 điểm phần trăm).',
      'Chỉ tiêu “Cán bộ cài đặt Bluezone đạt 50%”:',
      'Phường 2 (Thị xã Duyên Hải): 30,00% → 60,00% (+30,00 điểm phần trăm).',
    ]);
    // The movements between standings are counted above them.
    expect(lines).toContain('3 đơn vị thay đổi tình trạng so với ngày trước:');
  });

  it('reads the same in English', () => {
    const lines = changesSection(today, yesterday, 'en');
    expect(lines).toContain('Target “Residents with Bluezone installed: 50% of the population by 30/8/2020”:');
    expect(lines).toContain('Phường 1 (Thị xã Duyên Hải): 20.00% → 30.00% (+10.00 percentage points).');
  });

  it(`lists the ${LARGEST_MOVES} largest moves at most, and says so when nothing changed`, () => {
    const many = Array.from({ length: LARGEST_MOVES + 5 }, (_, i) => unit(`3${String(i).padStart(4, '0')}`, `Xã ${i}`, 'commune', '842'));
    const at = (date: string, v: (i: number) => number) =>
      assembleSnapshot(
        date,
        null,
        [...UNITS, ...many],
        [],
        many.map((u, i) => status(RESIDENTS, u.code, date, date === '2020-08-21' ? 'on_track' : 'at_risk', v(i))),
        [RESIDENTS],
      );
    const lines = changesSection(
      at('2020-08-21', (i) => 0.1 + i / 100),
      at('2020-08-20', () => 0.1),
      'vi',
    );
    const listed = lines.filter((l) => l.startsWith('Xã '));
    expect(listed).toHaveLength(LARGEST_MOVES);
    // Largest first: Xã 14 moved 14 points.
    expect(listed[0]).toBe('Xã 14 (Thành phố Trà Vinh): 10,00% → 24,00% (+14,00 điểm phần trăm).');
    expect(changesSection(yesterday, yesterday, 'vi')).toEqual(['Không có thay đổi.']);
  });
});
