import fc from 'fast-check';
import { COHORTS } from '@app/contracts';
import { applyCampaignEvent, campaignInputsOf, emptyCampaignState, type CampaignInputEvent } from './campaign-state';
import { addDays } from './dates';
import { FigureModel } from './figures';
import { BOUNDS_2020 } from '@test/support/domain-fixtures';
import { evaluateTargetSeries, inTargetScope, type Target } from './target-status';

const structure: CampaignInputEvent[] = [
  { kind: 'unit', code: 'P', type: 'province', adminParentCode: null, accountableToCode: null, level: 1, active: true, revision: 1 },
  { kind: 'unit', code: 'D1', type: 'district', adminParentCode: 'P', accountableToCode: 'P', level: 2, active: true, revision: 1 },
  { kind: 'unit', code: 'D2', type: 'district', adminParentCode: 'P', accountableToCode: 'P', level: 2, active: true, revision: 1 },
  { kind: 'unit', code: 'C1', type: 'commune', adminParentCode: 'D1', accountableToCode: 'D1', level: 3, active: true, revision: 1 },
  { kind: 'unit', code: 'C2', type: 'commune', adminParentCode: 'D1', accountableToCode: 'D1', level: 3, active: true, revision: 1 },
  // C2 moves to D2: the move must win whatever the order.
  { kind: 'unit', code: 'C2', type: 'commune', adminParentCode: 'D2', accountableToCode: 'D2', level: 3, active: true, revision: 2 },
  { kind: 'unit', code: 'DEP', type: 'department', adminParentCode: null, accountableToCode: 'P', level: 2, active: true, revision: 1 },
  { kind: 'retired', code: 'DEP', retiredOn: '2020-08-09', revision: 2 },
];

const targets: Target[] = [
  {
    targetId: 'res',
    nameVi: 'r',
    nameEn: 'r',
    metric: 'resident_rate',
    cohorts: ['residents'],
    tree: 'administrative',
    scopeUnitTypes: ['commune'],
    scopeLevels: [],
    threshold: 0.5,
    deadline: '2020-08-08',
    campaignStart: null,
    reportingWindowDays: 3,
    revision: 1,
  },
  {
    targetId: 'bt',
    nameVi: 'b',
    nameEn: 'b',
    metric: 'bluetooth_rate',
    cohorts: ['staff'],
    tree: 'accountability',
    scopeUnitTypes: [],
    scopeLevels: [],
    threshold: 0.9,
    deadline: '2020-08-10',
    campaignStart: '2020-08-01',
    reportingWindowDays: 2,
    revision: 1,
  },
];

const countsArb = fc.array(fc.nat(1000), { minLength: 4, maxLength: 4 }).map((xs) => xs.sort((a, b) => b - a));
const dateArb = fc.integer({ min: 0, max: 10 }).map((d) => addDays('2020-08-01', d));
const reportArb: fc.Arbitrary<CampaignInputEvent> = fc
  .record({
    unitCode: fc.constantFrom('P', 'D1', 'C1', 'C2', 'DEP'),
    cohort: fc.constantFrom('residents' as const, 'staff' as const),
    asOf: dateArb,
    revision: fc.integer({ min: 1, max: 3 }),
    reportId: fc.constantFrom('a', 'b', 'c'),
    counts: countsArb,
  })
  .map(({ counts, ...r }) => ({
    kind: 'report',
    ...r,
    headcount: counts[0],
    smartphoneHolders: counts[1],
    installed: counts[2],
    bluetoothOn: counts[3],
  }));
const denominatorArb: fc.Arbitrary<CampaignInputEvent> = fc.record({
  kind: fc.constant('denominator' as const),
  unitCode: fc.constantFrom('P', 'C1'),
  cohort: fc.constant('residents' as const),
  asOf: dateArb,
  headcount: fc.nat(5000),
  eventId: fc.constantFrom('e1', 'e2', 'e3'),
});
const targetArb: fc.Arbitrary<CampaignInputEvent> = fc.constantFrom(...targets).map((t) => ({ kind: 'target', ...t }));
const eventArb = fc.oneof(
  { weight: 6, arbitrary: reportArb },
  { weight: 2, arbitrary: denominatorArb },
  { weight: 1, arbitrary: targetArb },
);

/** Every figure of every unit and cohort, and every status of every target, over the whole campaign. */
function everything(events: readonly CampaignInputEvent[]): unknown {
  const inputs = campaignInputsOf(events.reduce(applyCampaignEvent, emptyCampaignState()));
  const model = new FigureModel(inputs, { windowDays: 3, bounds: BOUNDS_2020 });
  const figures = inputs.units.flatMap((u) => COHORTS.flatMap((c) => model.figureSeries(u.code, c)));
  const statuses = [...inputs.targets]
    .sort((a, b) => (a.targetId < b.targetId ? -1 : 1))
    .flatMap((t) => inputs.units.filter((u) => inTargetScope(model, t, u.code)).flatMap((u) => evaluateTargetSeries(model, t, u.code)));
  const byCode = (a: { orgUnitCode: string }, b: { orgUnitCode: string }) =>
    a.orgUnitCode < b.orgUnitCode ? -1 : a.orgUnitCode > b.orgUnitCode ? 1 : 0;
  return { figures: figures.sort(byCode), statuses: statuses.sort(byCode) };
}

describe('property: figures and statuses do not depend on the order or repetition of events', () => {
  it('given any permutation of a generated event sequence with random duplicates, then figures and statuses equal those of the sequence in order', () => {
    const scenario = fc.array(eventArb, { minLength: 1, maxLength: 25 }).chain((events) => {
      const all = [...structure, ...events];
      return fc.tuple(
        fc.constant(all),
        fc.subarray(all).chain((dups) => fc.shuffledSubarray([...all, ...dups], { minLength: all.length + dups.length })),
      );
    });
    fc.assert(
      fc.property(scenario, ([inOrder, shuffled]) => {
        expect(everything(shuffled)).toEqual(everything(inOrder));
      }),
      { numRuns: 100 },
    );
  });

  it('given an upsert and a retirement in either order, when folded, then the unit is retired from its day', () => {
    const [upsert, retire] = [structure[6], structure[7]];
    for (const seq of [
      [upsert, retire],
      [retire, upsert],
      [retire, upsert, retire],
    ]) {
      const inputs = campaignInputsOf(seq.reduce(applyCampaignEvent, emptyCampaignState()));
      expect(inputs.units).toEqual([expect.objectContaining({ code: 'DEP', retiredOn: '2020-08-09' })]);
    }
  });
});
