import { checkTarget, normaliseTarget, sameTarget, type TargetDefinition } from './target.rules';

const residents50: TargetDefinition = {
  targetId: 'residents-50',
  nameVi: 'Người dân',
  nameEn: 'Residents',
  metric: 'resident_rate',
  cohorts: ['residents'],
  tree: 'administrative',
  scopeUnitTypes: ['commune'],
  scopeLevels: [],
  threshold: 0.5,
  deadline: '2020-08-20',
  campaignStart: null,
  reportingWindowDays: 7,
};

describe('target rules', () => {
  it('accepts the directive targets', () => {
    expect(checkTarget(residents50)).toEqual([]);
    expect(
      checkTarget({
        ...residents50,
        metric: 'bluetooth_rate',
        cohorts: ['staff', 'students', 'youth_members', 'association_members', 'enterprise_workers'],
        tree: 'accountability',
        scopeUnitTypes: [],
        threshold: 1,
      }),
    ).toEqual([]);
  });

  it('refuses residents on the accountability tree and staff on the administrative tree', () => {
    expect(checkTarget({ ...residents50, tree: 'accountability', scopeUnitTypes: [] })).toEqual([
      { field: 'cohorts', message: expect.stringContaining('residents is counted on the administrative tree') },
    ]);
    expect(checkTarget({ ...residents50, metric: 'install_rate', cohorts: ['staff'], scopeUnitTypes: [] })[0].field).toBe('cohorts');
  });

  it('refuses a resident rate over any cohort but residents', () => {
    expect(checkTarget({ ...residents50, cohorts: ['residents', 'staff'], scopeUnitTypes: [] }).map((e) => e.field)).toContain('metric');
  });

  it('refuses unit types in scope that report none of the cohorts, and a campaign starting after its deadline', () => {
    const errors = checkTarget({ ...residents50, scopeUnitTypes: ['enterprise'], campaignStart: '2020-09-01' });
    expect(errors.map((e) => e.field)).toEqual(['scopeUnitTypes', 'campaignStart']);
  });

  it('compares targets regardless of the order of their lists', () => {
    const a = {
      ...residents50,
      metric: 'install_rate' as const,
      cohorts: ['staff', 'students'] as const,
      tree: 'accountability' as const,
      scopeLevels: [3, 2, 2],
    };
    const b = { ...a, cohorts: ['students', 'staff'] as const, scopeLevels: [2, 3] };
    expect(sameTarget(a, b)).toBe(true);
    expect(normaliseTarget(a).scopeLevels).toEqual([2, 3]);
    expect(sameTarget(a, { ...b, threshold: 0.6 })).toBe(false);
  });
});
