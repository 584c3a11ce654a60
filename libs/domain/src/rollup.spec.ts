import fc from 'fast-check';
import { COHORTS_BY_UNIT_TYPE, type Cohort, type UnitType } from '@app/contracts';
import { addDays } from './dates';
import { FigureModel, type DenominatorInput } from './figures';
import type { UnitNode } from './org-tree';
import type { ReportInput } from './supersession';
import {
  combineSpans,
  figureLane,
  ownPoints,
  ownSpan,
  rollUp,
  rollupMembers,
  rollupPartition,
  RolledUpUnit,
  RollupTimeline,
  ZERO_ROLLUP,
  statusLane,
  type RollupLane,
  type RollupSpan,
} from './rollup';
import { evaluateTargetSeries, inTargetScope, type Target } from './target-status';
import { BOUNDS_2020, report, STAFF_AND_WORKERS_BT, targetOf, unit } from '@test/support/domain-fixtures';

const OPTIONS = { windowDays: 3, bounds: BOUNDS_2020 };
/** Over three cohorts, one of them (residents) on the other tree: a target never adds two trees together. */
const STAFF_TARGET: Target = {
  ...targetOf(STAFF_AND_WORKERS_BT),
  cohorts: ['staff', 'enterprise_workers', 'residents'],
  threshold: 0.7,
  deadline: '2020-08-20',
  reportingWindowDays: 5,
  campaignStart: null,
};

/** Every unit's lane sums from scratch, each from its own inputs and its children's sums (the reference of the flusher's lanes). */
function rollAll(
  model: FigureModel,
  reports: readonly ReportInput[],
  lane: RollupLane,
): Map<string, { timeline: RollupTimeline; span: RollupSpan }> {
  const own = new FigureModel(
    {
      units: model.tree.all().map((u) => ({ ...u, adminParentCode: null, accountableToCode: null })),
      reports,
      denominators: [],
    },
    model.options,
  );
  const days = (code: string) => reports.filter((r) => r.unitCode === code && lane.cohorts.includes(r.cohort)).map((r) => r.asOf);
  const out = new Map<string, { timeline: RollupTimeline; span: RollupSpan }>();
  const visit = (code: string): { timeline: RollupTimeline; span: RollupSpan } => {
    const done = out.get(code);
    if (done) return done;
    const members = rollupMembers(model.tree, code, lane.tree);
    const children = members.flatMap((v) => model.tree.childrenOf(v, lane.tree)).filter((c) => !members.includes(c) && model.tree.get(c));
    const sums = children.map(visit);
    const from = model.options.bounds.from;
    const timeline = new RollupTimeline(
      rollUp(
        [
          ...members.map((v) => new RollupTimeline(ownPoints(own, model.tree.get(v)!, lane, days(v), from, model.options.bounds.to))),
          ...sums.map((s) => s.timeline),
        ],
        from,
        model.options.bounds.to,
      ),
    );
    const span = combineSpans([...members.map((v) => ownSpan(model.tree.get(v)!, lane, days(v))), ...sums.map((s) => s.span)]);
    for (const v of members) out.set(v, { timeline, span });
    return out.get(code)!;
  };
  for (const u of model.tree.all()) visit(u.code);
  return out;
}

const TYPES: UnitType[] = ['commune', 'department', 'enterprise', 'school', 'hamlet'];

/** Random trees (some parents unknown, some cycles), retirements, reports with corrections and duplicates, denominators. */
const worlds = fc
  .record({
    units: fc.array(
      fc.record({
        type: fc.constantFrom(...TYPES),
        parent: fc.nat(20),
        retired: fc.option(fc.nat(30), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    reports: fc.array(
      fc.record({ unit: fc.nat(12), cohort: fc.nat(5), day: fc.nat(25), revision: fc.integer({ min: 1, max: 2 }), n: fc.nat(1000) }),
      { maxLength: 30 },
    ),
    denominators: fc.array(fc.record({ unit: fc.nat(12), day: fc.nat(25), n: fc.integer({ min: 1, max: 5000 }) }), { maxLength: 4 }),
  })
  .map((w) => {
    const units: UnitNode[] = [unit('U0', 'province', { level: 1 })];
    w.units.forEach((u, i) => {
      // A parent index past the units is an unknown parent; one pointing at a later unit can close a cycle.
      const parent = `U${u.parent}`;
      units.push(
        unit(`U${i + 1}`, u.type, {
          admin: parent,
          acc: parent,
          retiredOn: u.retired === undefined ? undefined : u.retired === 0 ? '0000-01-01' : addDays('2020-08-01', u.retired),
        }),
      );
    });
    const rs = w.reports.flatMap((r) => {
      const u = units[r.unit % units.length];
      const cohorts = COHORTS_BY_UNIT_TYPE[u.type];
      if (cohorts.length === 0) return [];
      const cohort: Cohort = cohorts[r.cohort % cohorts.length];
      const headcount = 100 + r.n;
      return [report(u.code, cohort, addDays('2020-08-01', r.day), [headcount, r.n, Math.floor(r.n / 2), Math.floor(r.n / 3)], r.revision)];
    });
    const denominators: DenominatorInput[] = w.denominators.map((d, i) => ({
      unitCode: units[d.unit % units.length].code,
      cohort: 'residents',
      asOf: addDays('2020-08-01', d.day),
      headcount: d.n,
      eventId: `e${i}`,
    }));
    return { units, reports: rs, denominators };
  });

describe('roll-ups: a unit from its children’s sums equals the sum over its subtree', () => {
  it('given random trees, reports and retirements, when every unit is rolled up from its children, then its figures and statuses are the subtree’s', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const model = new FigureModel(w, OPTIONS);
        for (const cohort of ['residents', 'staff', 'students'] as const) {
          const lane = figureLane(cohort, OPTIONS.windowDays);
          for (const [code, r] of rollAll(model, w.reports, lane)) {
            const view = new RolledUpUnit(model.tree.get(code)!, w.denominators, OPTIONS, new Map([[cohort, r.span]]), r.timeline);
            expect(view.figureSeries(code, cohort)).toEqual(model.figureSeries(code, cohort));
          }
        }
        const spansOf = new Map(
          STAFF_TARGET.cohorts.map((c) => [c, rollAll(model, w.reports, figureLane(c, OPTIONS.windowDays))] as const),
        );
        for (const [code, r] of rollAll(model, w.reports, statusLane(STAFF_TARGET))) {
          const spans = new Map([...spansOf].map(([c, byUnit]) => [c, byUnit.get(code)!.span] as const));
          const view = new RolledUpUnit(model.tree.get(code)!, w.denominators, OPTIONS, spans, r.timeline);
          expect(r.span.inScope).toBe(inTargetScope(model, STAFF_TARGET, code));
          expect(evaluateTargetSeries(view, STAFF_TARGET, code)).toEqual(evaluateTargetSeries(model, STAFF_TARGET, code));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('given a cycle of bad moves, when its members are asked for, then every unit of the cycle is one', () => {
    const model = new FigureModel(
      {
        units: [unit('A', 'department', { acc: 'B' }), unit('B', 'department', { acc: 'A' }), unit('E', 'enterprise', { acc: 'A' })],
        reports: [],
        denominators: [],
      },
      OPTIONS,
    );
    expect(rollupMembers(model.tree, 'A', 'accountability')).toEqual(['A', 'B']);
    expect(rollupMembers(model.tree, 'E', 'accountability')).toEqual(['E']);
  });

  it('given two timelines, when rolled up, then each day holds the sum and a point is made only where one changes', () => {
    const lane = figureLane('residents', 3);
    const model = new FigureModel(
      {
        units: [unit('C1', 'commune'), unit('C2', 'commune')],
        reports: [report('C1', 'residents', '2020-08-05', [100, 80, 40, 20]), report('C2', 'residents', '2020-08-10', [50, 40, 30, 10])],
        denominators: [],
      },
      OPTIONS,
    );
    const own = (code: string, days: string[]) =>
      new RollupTimeline(ownPoints(model, model.tree.get(code)!, lane, days, '2020-08-01', '2020-08-31'));
    const points = rollUp([own('C1', ['2020-08-05']), own('C2', ['2020-08-10'])], '2020-08-01', '2020-08-31');
    expect(points.map((p) => [p.date, p.installed, p.contributors, p.reporting, p.expected])).toEqual([
      ['2020-08-01', 0, 0, 0, 2],
      ['2020-08-05', 40, 1, 1, 2],
      ['2020-08-06', 40, 1, 1, 2],
      ['2020-08-08', 40, 1, 0, 2],
      ['2020-08-10', 70, 2, 1, 2],
      ['2020-08-11', 70, 2, 1, 2],
      ['2020-08-13', 70, 2, 0, 2],
    ]);
  });
});

describe('a roll-up timeline spliced with recomputed days', () => {
  const point = (date: string, installed: number) => ({ ...ZERO_ROLLUP, date, installed });
  const old = new RollupTimeline([point('2020-08-01', 1), point('2020-08-05', 2), point('2020-08-09', 3)]);

  it('given fresh points through a day, then the stored points after that day hold again', () => {
    const t = old.splice('2020-08-04', '2020-08-06', [point('2020-08-04', 7), point('2020-08-06', 2)]);
    expect(['2020-08-03', '2020-08-04', '2020-08-05', '2020-08-06', '2020-08-08', '2020-08-09'].map((d) => t.at(d).installed)).toEqual([
      1, 7, 7, 2, 2, 3,
    ]);
  });

  it('given no last day, then the fresh points hold to the end', () => {
    const t = old.splice('2020-08-04', null, [point('2020-08-04', 7)]);
    expect(t.at('2020-08-20').installed).toBe(7);
  });
});

describe('roll-up partitions: what a flush may recompute alone', () => {
  const model = new FigureModel(
    {
      units: [
        unit('P', 'province'),
        unit('D1', 'district', { admin: 'P', acc: 'P' }),
        unit('C1', 'commune', { admin: 'D1', acc: 'D1' }),
        unit('H1', 'hamlet', { admin: 'C1' }),
        unit('O', 'commune', { admin: 'GHOST', acc: 'GHOST' }),
        unit('A', 'department', { acc: 'B' }),
        unit('B', 'department', { acc: 'A' }),
        unit('E', 'enterprise', { acc: 'A' }),
      ],
      reports: [],
      denominators: [],
    },
    OPTIONS,
  );

  it('given a unit under a district, when partitioned, then its partition is the district and the province is above it', () => {
    expect(rollupPartition(model.tree, 'H1', 'administrative')).toEqual({ root: 'D1', above: 'P' });
    expect(rollupPartition(model.tree, 'D1', 'administrative')).toEqual({ root: 'D1', above: 'P' });
  });

  it('given the topmost unit, a cycle or a unit below one, when partitioned, then it belongs to the top', () => {
    expect(rollupPartition(model.tree, 'P', 'administrative')).toBeNull();
    expect(rollupPartition(model.tree, 'A', 'accountability')).toBeNull();
    expect(rollupPartition(model.tree, 'E', 'accountability')).toBeNull();
  });

  it('given a unit under an unknown parent, when partitioned, then it is its own partition under that code', () => {
    expect(rollupPartition(model.tree, 'O', 'administrative')).toEqual({ root: 'O', above: 'GHOST' });
  });
});
