import { bluetoothRate, installRate, populationRate } from './counts';
import { FigureModel, type CampaignInputs } from './figures';
import { BOUNDS_2020, report, unit } from '@test/support/domain-fixtures';

const units = [
  unit('P', 'province', { level: 1 }),
  unit('D1', 'district', { admin: 'P', acc: 'P', level: 2 }),
  unit('C1', 'commune', { admin: 'D1', acc: 'D1', level: 3 }),
  unit('C2', 'commune', { admin: 'D1', acc: 'D1', level: 3 }),
  unit('DEP', 'department', { acc: 'P' }),
];

function model(inputs: Partial<CampaignInputs>, windowDays = 3): FigureModel {
  return new FigureModel({ units, reports: [], denominators: [], ...inputs }, { windowDays, bounds: BOUNDS_2020 });
}

describe('rates are ratios of sums', () => {
  it('given counts, when rates are computed, then install and Bluetooth are over smartphone holders and the resident rate over population', () => {
    const c = { headcount: 100, smartphoneHolders: 80, installed: 40, bluetoothOn: 20 };
    expect(installRate(c)).toBe(0.5);
    expect(bluetoothRate(c)).toBe(0.25);
    expect(populationRate(40, 1000)).toBe(0.04);
  });

  it('given a zero or absent denominator, when a rate is computed, then it is null, not 0', () => {
    expect(installRate({ headcount: 5, smartphoneHolders: 0, installed: 0, bluetoothOn: 0 })).toBeNull();
    expect(populationRate(10, null)).toBeNull();
    expect(populationRate(10, 0)).toBeNull();
  });

  it('given two communes with different sizes, when the district rolls up, then its rate is the ratio of sums, not the mean of rates', () => {
    const m = model({
      reports: [report('C1', 'residents', '2020-08-10', [100, 10, 10, 10]), report('C2', 'residents', '2020-08-10', [1000, 90, 0, 0])],
    });
    const f = m.figure('D1', 'residents', '2020-08-10')!;
    expect(f.installRate).toBe(0.1); // (10 + 0) / (10 + 90); the mean of rates would say 0.5
  });
});

describe('roll-up on a tree', () => {
  it('given commune and department reports, when the province rolls up, then each cohort sums its own tree only', () => {
    const m = model({
      reports: [
        report('C1', 'residents', '2020-08-10', [100, 80, 40, 20]),
        report('C2', 'residents', '2020-08-10', [200, 100, 50, 30]),
        report('C1', 'staff', '2020-08-10', [10, 10, 9, 9]),
        report('DEP', 'staff', '2020-08-10', [50, 40, 30, 20]),
      ],
    });
    const residents = m.figure('P', 'residents', '2020-08-10')!;
    expect(residents).toMatchObject({ tree: 'administrative', headcount: 300, smartphoneHolders: 180, installed: 90, bluetoothOn: 50 });
    const staff = m.figure('P', 'staff', '2020-08-10')!;
    expect(staff).toMatchObject({ tree: 'accountability', headcount: 60, smartphoneHolders: 50, installed: 39, bluetoothOn: 29 });
  });

  it('given staff of a department and residents of a commune, when any figure is computed, then they are never added together', () => {
    const m = model({
      reports: [report('DEP', 'staff', '2020-08-10', [50, 40, 30, 20]), report('C1', 'residents', '2020-08-10', [100, 80, 40, 20])],
    });
    expect(m.figure('P', 'residents', '2020-08-10')!.installed).toBe(40);
    expect(m.figure('P', 'staff', '2020-08-10')!.installed).toBe(30);
    expect(m.figure('DEP', 'residents', '2020-08-10')).toBeNull();
  });

  it('given a parent with its own report and children, when rolled up, then its own latest figure is in its sum once', () => {
    const m = model({ reports: [report('D1', 'staff', '2020-08-10', [5, 5, 5, 5]), report('C1', 'staff', '2020-08-10', [10, 10, 1, 1])] });
    expect(m.figure('D1', 'staff', '2020-08-10')!.headcount).toBe(15);
    expect(m.figure('P', 'staff', '2020-08-10')!.headcount).toBe(15);
  });

  it('given a retired commune, when the district rolls up after its retirement day, then it no longer counts nor is expected', () => {
    const inputs = {
      units: units.map((u) => (u.code === 'C2' ? { ...u, retiredOn: '2020-08-12' } : u)),
      reports: [report('C1', 'residents', '2020-08-10', [100, 80, 40, 20]), report('C2', 'residents', '2020-08-10', [200, 100, 50, 30])],
      denominators: [],
    };
    const m = new FigureModel(inputs, { windowDays: 7, bounds: BOUNDS_2020 });
    expect(m.figure('D1', 'residents', '2020-08-11')).toMatchObject({ installed: 90, expectedUnits: 3 });
    expect(m.figure('D1', 'residents', '2020-08-12')).toMatchObject({ installed: 40, expectedUnits: 2 });
  });

  it('given a population denominator on the unit, when the figure is computed, then populationRate = installed / population as of the day', () => {
    const m = model({
      reports: [report('C1', 'residents', '2020-08-10', [100, 80, 40, 20])],
      denominators: [{ unitCode: 'D1', cohort: 'residents', asOf: '2020-08-11', headcount: 400, eventId: 'e1' }],
    });
    expect(m.figure('D1', 'residents', '2020-08-10')).toMatchObject({ population: null, populationRate: null });
    expect(m.figure('D1', 'residents', '2020-08-11')).toMatchObject({ population: 400, populationRate: 0.1 });
  });
});

describe('reporting coverage and not reporting', () => {
  it('given one of two communes reporting, when the district figure is read, then 1 of 3 expected units report (district, two communes)', () => {
    const m = model({ reports: [report('C1', 'residents', '2020-08-10', [100, 80, 40, 20])] });
    expect(m.figure('D1', 'residents', '2020-08-10')).toMatchObject({ reportingUnits: 1, expectedUnits: 3 });
  });

  it('given a commune that stops reporting, when its window passes, then it shows as not reporting but keeps its last counts (not zero)', () => {
    const m = model({ reports: [report('C1', 'residents', '2020-08-10', [100, 80, 40, 20])] }, 3);
    expect(m.figure('C1', 'residents', '2020-08-12')).toMatchObject({ reportingUnits: 1, installed: 40 });
    expect(m.figure('C1', 'residents', '2020-08-13')).toMatchObject({ reportingUnits: 0, installed: 40, installRate: 0.5 });
    expect(m.figureSpan('C1', 'residents')).toEqual({ from: '2020-08-10', to: '2020-08-13' });
  });

  it('given no report at all in a subtree, when its figure is read, then there is no figure (no data is not zero)', () => {
    expect(model({}).figure('C2', 'residents', '2020-08-10')).toBeNull();
    expect(model({}).figureSeries('C2', 'residents')).toEqual([]);
  });
});
