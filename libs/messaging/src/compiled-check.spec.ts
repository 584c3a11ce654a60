import fc from 'fast-check';
import { IsNumber, IsOptional, Length, validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import {
  ActivityRecordedV1Data,
  EventEnvelopeSchema,
  FiguresUpdatedV1Data,
  isCalendarDate,
  ReportAcceptedV1Data,
  TargetSetV1Data,
  TargetStatusChangedV1Data,
  TargetStatusesChangedV1Data,
} from '@app/contracts';
import { isISO8601 } from 'class-validator';
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
  '2020-08-20T01:02:03Z',
  '2020-08-20T01:02:03.123456+07:00',
  '2020-02-29T23:59:59.999-05:30',
  '2021-02-29T01:02:03.000Z',
  '2020-04-31T01:02:03.000Z',
  '2020-08-20T24:00:00Z',
  '2020-08-20t01:02:03z',
  '2020-08-20 01:02:03Z',
  '2020-08-20T01:02Z',
  '2020-W34-4',
  '2020-233',
  'intake',
  'intake.report.accepted',
  '',
  'x'.repeat(400),
  // Counted by code points: a surrogate pair and a character with its variation selector are one each.
  'x'.repeat(119) + '😀',
  'x'.repeat(120) + '😀',
  '😀',
  'a\uFE0F',
  'ab\uFE0F',
  '\uD800',
  'bad code!',
  0,
  1,
  5,
  -1,
  1.5,
  2 ** 31,
  0.25,
  NaN,
  Infinity,
  -Infinity,
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

const status = {
  targetId: 'residents-50',
  orgUnitCode: '29239',
  date: '2020-08-20',
  status: 'on_track',
  previousStatus: null,
  value: 0.4,
  threshold: 0.5,
  forecastDate: '2020-08-19',
  gap: 10,
  reportingUnits: 1,
  expectedUnits: 1,
  reporting: true,
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
    ['TargetStatusChangedV1Data (numbers, lengths)', TargetStatusChangedV1Data, status],
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

describe('compiledCheck: a bundle accepts exactly what class-validator accepts of its items', () => {
  const figure = {
    orgUnitCode: '29239',
    cohort: 'residents',
    tree: 'administrative',
    date: '2020-08-20',
    headcount: 100,
    smartphoneHolders: 80,
    installed: 40,
    bluetoothOn: 30,
    population: 120,
    reportingUnits: 1,
    expectedUnits: 1,
    installRate: 0.5,
  };
  /** class-validator walks nested items only as instances: the bundle as decodeEvent's slow path builds it. */
  const classValidatorAcceptsNested = (schema: new () => object, plain: object) =>
    validateSync(plainToInstance(schema, plain), { forbidUnknownValues: false }).length === 0;
  const item = (base: Record<string, unknown>) =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(base) },
      { weight: 3, arbitrary: mutated(base) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 5, 'x', {}) },
    );

  it.each([
    ['FiguresUpdatedV1Data', FiguresUpdatedV1Data, 'figures', figure],
    ['TargetStatusesChangedV1Data', TargetStatusesChangedV1Data, 'statuses', status],
  ] as const)('%s, arrays of valid, broken and non-object items', (_name, schema, property, base) => {
    const check = compiledCheck(schema)!;
    expect(check).not.toBeNull();
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof({ weight: 9, arbitrary: fc.array(item(base), { maxLength: 6 }) }, { weight: 1, arbitrary: fc.constantFrom(...VALUES) }),
        (items) => {
          const plain = { [property]: items };
          const verdict = classValidatorAcceptsNested(schema, plain);
          if (verdict) accepted += 1;
          expect(check(plain)).toBe(verdict);
        },
      ),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(100);
    // At most BUNDLE_MAX_ITEMS items, and a __proto__ key in an item is refused.
    expect(check({ [property]: Array.from({ length: 501 }, () => base) })).toBe(false);
    expect(check({ [property]: [JSON.parse(`{"__proto__": {}, ${JSON.stringify(base).slice(1)}`)] })).toBe(false);
  });
});

describe('the length and number checks written by hand', () => {
  class Named {
    @Length(2, 3) name!: string;
    @IsOptional() @IsNumber() share!: number | null;
  }

  it('counts a string as validator does (surrogate pairs, variation selectors) and refuses NaN and ±Infinity', () => {
    const check = compiledCheck(Named)!;
    const names = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      '😀',
      '😀😀',
      '😀😀😀',
      '😀😀😀😀',
      'a\uFE0F',
      'a\uFE0Fb\uFE0F',
      'ab\uFE0Fc',
      '\uD800x',
      '\uD800',
      5,
    ];
    for (const name of names)
      for (const share of [null, 0.25, 1, NaN, Infinity, -Infinity, '1'])
        expect([name, share, check({ name, share })]).toEqual([name, share, classValidatorAccepts(Named, { name, share })]);
  });
});

describe('the timestamp and calendar checks written by hand', () => {
  /** Two digits, mostly around a field's bounds (0 to max + 1), sometimes anything. */
  const d2 = (max: number) =>
    fc
      .oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: max + 1 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 99 }) })
      .map((n) => String(n).padStart(2, '0'));
  const year = fc.constantFrom('0000', '1900', '2000', '2020', '2021', '2100', '2400', '9999');
  const timestamp = fc
    .tuple(
      year,
      fc.constantFrom('-', ''),
      d2(12),
      d2(31),
      fc.constantFrom('T', 'T', 'T', 't', ' '),
      d2(24),
      d2(59),
      d2(59),
      fc.constantFrom('', '.0', '.123', '.123456789', ',5'),
      fc.constantFrom('Z', 'z', '+07:00', '-05:30', '+24:00', '+0700', ''),
    )
    .map(([y, sep, mo, da, t, h, mi, se, frac, zone]) => `${y}${sep}${mo}${sep}${da}${t}${h}:${mi}:${se}${frac}${zone}`);

  it('occurredAt: the envelope accepts exactly the timestamps isISO8601 (strict) accepts', () => {
    const check = compiledCheck(EventEnvelopeSchema)!;
    const base = {
      id: uuid,
      type: 'intake.report.accepted',
      version: 1,
      occurredAt: '',
      source: 'intake',
      key: 'k',
      correlationId: 'c',
      causationId: null,
      data: {},
    };
    let accepted = 0;
    fc.assert(
      fc.property(timestamp, (occurredAt) => {
        const verdict = isISO8601(occurredAt, { strict: true });
        if (verdict) accepted += 1;
        expect(check({ ...base, occurredAt })).toBe(verdict);
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('isCalendarDate agrees with the calendar Date keeps', () => {
    const byDate = (v: string) => {
      const d = new Date(`${v}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
    };
    fc.assert(
      fc.property(fc.tuple(year, d2(12), d2(31)), ([y, m, d]) => {
        const v = `${y}-${m}-${d}`;
        expect(isCalendarDate(v)).toBe(byDate(v));
      }),
      { numRuns: 5000 },
    );
    for (const bad of ['2020-8-20', '2020-08-20 ', '20200820', 20200820, null, '२०२०-०८-२०']) expect(isCalendarDate(bad)).toBe(false);
  });
});
