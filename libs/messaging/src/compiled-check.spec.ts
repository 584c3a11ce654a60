import fc from 'fast-check';
import { validateSync } from 'class-validator';
import { ActivityRecordedV1Data, EventEnvelopeSchema, ReportAcceptedV1Data, TargetSetV1Data } from '@app/contracts';
import { compiledCheck } from './compiled-check';

/** class-validator's own verdict, as decodeEvent asked it before the predicate existed. */
const classValidatorAccepts = (schema: new () => object, plain: object) =>
  validateSync(Object.assign(new schema(), plain), { forbidUnknownValues: false }).length === 0;

const uuid = '01890a5d-ac96-774b-bcce-b302099a8057';
const VALUES = [
  uuid,
  '29239',
  'residents',
  'broadcast',
  'door_to_door',
  'food_drink',
  '2020-08-20',
  '2020-02-30',
  '2020-08-20T01:02:03.000Z',
  'intake',
  'intake.report.accepted',
  '',
  'x'.repeat(400),
  'bad code!',
  0,
  1,
  5,
  -1,
  1.5,
  2 ** 31,
  true,
  false,
  null,
  undefined,
  {},
  [],
  ['residents'],
  [1, 2],
];

const report = {
  reportId: uuid,
  orgUnitCode: '29239',
  cohort: 'residents',
  asOf: '2020-08-20',
  revision: 1,
  submittedAt: '2020-08-20T01:02:03.000Z',
  headcount: 100,
  smartphoneHolders: 80,
  installed: 40,
  bluetoothOn: 30,
};
const broadcast = {
  activityId: uuid,
  orgUnitCode: '29239',
  kind: 'broadcast',
  date: '2020-08-20',
  revision: 1,
  submittedAt: '2020-08-20T01:02:03.000Z',
  sessionsAired: 3,
  sessionsWithStartAnnouncement: 2,
  sessionsWithEndAnnouncement: 2,
  supportLocationsAnnounced: true,
};

/** A valid payload with up to three of its fields (or new ones) replaced by values from the pool. */
const mutated = (base: Record<string, unknown>) =>
  fc
    .array(fc.tuple(fc.constantFrom(...Object.keys(base), 'kind', 'householdsVisited', 'extra'), fc.constantFrom(...VALUES)), {
      maxLength: 3,
    })
    .map((changes) => {
      const out: Record<string, unknown> = { ...base };
      for (const [k, v] of changes) out[k] = v;
      return out;
    });

describe('compiledCheck: accepts exactly what class-validator accepts', () => {
  it.each([
    ['ReportAcceptedV1Data', ReportAcceptedV1Data, report],
    ['ActivityRecordedV1Data (conditional fields)', ActivityRecordedV1Data, broadcast],
  ] as const)('%s, valid payloads with fields replaced', (_name, schema, base) => {
    const check = compiledCheck(schema)!;
    expect(check).not.toBeNull();
    let accepted = 0;
    fc.assert(
      fc.property(mutated(base), (plain) => {
        const verdict = classValidatorAccepts(schema, plain);
        if (verdict) accepted += 1;
        expect(check(plain)).toBe(verdict);
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('the envelope and a target (array fields, each-validation) on arbitrary objects', () => {
    for (const schema of [EventEnvelopeSchema, TargetSetV1Data]) {
      const check = compiledCheck(schema)!;
      fc.assert(
        fc.property(
          fc.dictionary(fc.constantFrom(...Object.keys(new schema()), 'id', 'type', 'cohorts', 'threshold'), fc.constantFrom(...VALUES)),
          (plain) => {
            expect(check(plain)).toBe(classValidatorAccepts(schema, plain));
          },
        ),
        { numRuns: 1000 },
      );
    }
  });
});
