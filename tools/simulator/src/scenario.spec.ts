import { buildScenario, DEFAULT_OPTIONS } from './scenario';
import { links, traVinhWorld } from './tra-vinh-world';
import { Expectations } from './expect';

describe('the simulated Trà Vinh campaign', () => {
  const world = traVinhWorld();

  it('is the same for the same seed, and different for another', () => {
    const a = buildScenario(world);
    const b = buildScenario(world);
    const c = buildScenario(world, { ...DEFAULT_OPTIONS, seed: 7 });
    expect(JSON.stringify(a.actions)).toEqual(JSON.stringify(b.actions));
    expect(JSON.stringify(a.actions)).not.toEqual(JSON.stringify(c.actions));
  });

  it('splits the province population exactly across the 106 communes', () => {
    const s = buildScenario(world);
    expect(s.communePopulation.size).toBe(106);
    expect([...s.communePopulation.values()].reduce((x, y) => x + y, 0)).toBe(1009168);
  });

  it('puts the province at 6.78% of residents on 19/08, as the directive says', () => {
    const s = buildScenario(world);
    const exp = new Expectations(s, links(world, s.created));
    const f = exp.figure('84', 'residents', '2020-08-19')!;
    expect(f.installed / 1009168).toBeCloseTo(0.0678, 4);
    expect(exp.figure('84', 'residents', '2020-08-30')!.installed).toBeGreaterThan(f.installed);
    // and it only climbs, day after day
    let last = 0;
    for (let d = 4; d <= 30; d++) {
      const installed = exp.figure('84', 'residents', `2020-08-${String(d).padStart(2, '0')}`)!.installed;
      expect(installed).toBeGreaterThanOrEqual(last);
      last = installed;
    }
  });

  it('sends only reports that obey 0 ≤ bluetoothOn ≤ installed ≤ smartphoneHolders ≤ headcount', () => {
    for (const a of buildScenario(world).actions) {
      if (a.kind !== 'report') continue;
      const r = a.body;
      expect(
        0 <= r.bluetoothOn && r.bluetoothOn <= r.installed && r.installed <= r.smartphoneHolders && r.smartphoneHolders <= r.headcount,
      ).toBe(true);
    }
  });

  it('brings every unit but the planned shortfall to 100% with Bluetooth on by 30/08', () => {
    const s = buildScenario(world);
    const exp = new Expectations(s, links(world, s.created));
    expect(s.shortfall.size).toBeGreaterThan(0);
    for (const unit of exp.reportingUnits()) {
      for (const cohort of exp.cohortsOf(unit)) {
        if (cohort === 'residents') continue;
        const own = exp.ownAsOf(unit, cohort, '2020-08-30')!;
        const full = own.bluetoothOn === own.smartphoneHolders;
        expect({ unit, cohort, full: full || s.shortfall.has(unit) }).toEqual({ unit, cohort, full: true });
      }
    }
    for (const unit of s.shortfall) {
      const below = exp.cohortsOf(unit).some((c) => {
        const own = exp.ownAsOf(unit, c, '2020-08-30');
        return c !== 'residents' && own !== null && own.bluetoothOn < own.smartphoneHolders;
      });
      expect({ unit, below }).toEqual({ unit, below: true });
    }
  });

  it('includes late reports, corrections, duplicates, rosters in both formats and a few broadcasts without an end announcement', () => {
    const s = buildScenario(world);
    const notes = new Set(s.actions.flatMap((a) => (a.kind === 'report' && a.note ? [a.note] : [])));
    expect([...notes].sort()).toEqual(['correction', 'duplicate', 'late', 'superseded']);
    const formats = new Set(s.actions.flatMap((a) => (a.kind === 'roster' ? [a.format] : [])));
    expect([...formats].sort()).toEqual(['csv', 'xlsx']);
    expect(s.missingEndAnnouncement.size).toBeGreaterThan(0);
  });
});
