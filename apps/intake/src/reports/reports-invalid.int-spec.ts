import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { intakeService } from '../main';
import { VALID_REPORT } from '../../test/report-fixture';
import { http, useService } from '@test/support/service-harness';

/** One invalid submission and the field its problem must name. */
interface Case {
  readonly what: string;
  readonly field: string;
  readonly body?: unknown;
  readonly raw?: string;
}

const VALID = VALID_REPORT;
type Field = keyof typeof VALID;
const COUNTS: Field[] = ['headcount', 'smartphoneHolders', 'installed', 'bluetoothOn'];
const FIELDS = Object.keys(VALID) as Field[];
const pad = (n: number) => String(n).padStart(2, '0');

const with_ = (field: string, value: unknown, what: string): Case => ({ what, field, body: { ...VALID, [field]: value } });

const wrongTypedCount = fc
  .tuple(
    fc.constantFrom(...COUNTS),
    fc.oneof(
      fc.integer().map(String),
      fc.string(),
      fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.constant({}),
    ),
  )
  .map(([f, v]) => with_(f, v, `wrong type for ${f}: ${JSON.stringify(v)}`));

const negativeCount = fc
  .tuple(fc.constantFrom(...COUNTS), fc.integer({ min: -2_147_483_648, max: -1 }))
  .map(([f, v]) => with_(f, v, `negative ${f}`));

const pastInt32 = fc
  .tuple(
    fc.constantFrom(...COUNTS),
    fc.oneof(fc.integer({ min: 2_147_483_648, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(2 ** 31, 1e12, 1e21, 2 ** 53 + 2)),
  )
  // Past 2^31 the whole chain is out of range; set every count so only the range rule can be at fault.
  .map(([f, v]) => ({
    what: `${f} = ${v} past 2^31 - 1`,
    field: f,
    body: { ...VALID, headcount: v, smartphoneHolders: v, installed: v, bluetoothOn: v },
  }));

const inverted = fc.tuple(fc.constantFrom(0, 1, 2), fc.integer({ min: 1, max: 1_000_000 })).map(([link, by]): Case => {
  const b = { ...VALID };
  if (link === 0) return { what: 'bluetoothOn > installed', field: 'bluetoothOn', body: { ...b, bluetoothOn: b.installed + by } };
  if (link === 1) return { what: 'installed > smartphoneHolders', field: 'installed', body: { ...b, installed: b.smartphoneHolders + by } };
  return { what: 'smartphoneHolders > headcount', field: 'smartphoneHolders', body: { ...b, smartphoneHolders: b.headcount + by } };
});

const badUnitCode = fc
  .oneof(fc.constantFrom('', ' ', 'bad code', '29236;DROP', 'x'.repeat(65), '-29236', 'đơn-vị'), fc.integer(), fc.constant(null))
  .map((v) => with_('orgUnitCode', v, `malformed orgUnitCode ${JSON.stringify(v)}`));

const unknownUnit = fc.stringMatching(/^ZZ[0-9]{3,8}$/).map((code) => with_('orgUnitCode', code, `unknown unit ${code}`));

const unknownCohort = fc
  .oneof(fc.constantFrom('citizens', 'RESIDENTS', 'resident', '', 'người dân'), fc.integer(), fc.constant(null))
  .map((v) => with_('cohort', v, `unknown cohort ${JSON.stringify(v)}`));

// Communes report residents and staff only.
const cohortNotForUnit = fc
  .constantFrom('students', 'youth_members', 'association_members', 'enterprise_workers')
  .map((c) => with_('cohort', c, `cohort ${c} for a commune`));

const impossibleDate = fc
  .oneof(
    fc.constantFrom(
      '2020-02-30',
      '2021-02-29',
      '2020-04-31',
      '2020-13-01',
      '2020-00-10',
      '2020-08-32',
      '0000-00-00',
      '2020-8-5',
      '25/08/2020',
      '2020-08-25T00:00:00Z',
      '',
      'yesterday',
    ),
    fc
      .tuple(fc.integer({ min: 2020, max: 2020 }), fc.integer({ min: 13, max: 99 }), fc.integer({ min: 1, max: 28 }))
      .map(([y, m, d]) => `${y}-${m}-${pad(d)}`),
    fc.integer(),
  )
  .map((v) => with_('asOf', v, `impossible date ${JSON.stringify(v)}`));

const futureDate = fc
  .tuple(fc.integer({ min: 2031, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => with_('asOf', `${y}-${pad(m)}-${pad(d)}`, 'future date'));

const beforeCampaign = fc
  .tuple(fc.integer({ min: 1900, max: 2019 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
  .map(([y, m, d]) => with_('asOf', `${y}-${pad(m)}-${pad(d)}`, 'date before the campaign start'));

const unknownField = fc
  .tuple(
    fc
      .stringMatching(/^[a-z][A-Za-z0-9_]{0,20}$/)
      .filter((k) => !(FIELDS as string[]).includes(k) && !['__proto__', 'constructor', 'prototype'].includes(k)),
    fc.jsonValue(),
  )
  .map(([k, v]) => ({ what: `unknown field ${k}`, field: k, body: { ...VALID, [k]: v } }));

const missingField = fc.constantFrom(...FIELDS).map((f) => {
  const b: Record<string, unknown> = { ...VALID };
  delete b[f];
  return { what: `missing ${f}`, field: f, body: b };
});

const malformedJson = fc
  .oneof(
    fc.constantFrom(
      '{',
      '{"orgUnitCode": "29236",}',
      "{'orgUnitCode': '29236'}",
      '{"headcount": 01}',
      '{"a":1}}',
      'undefined',
      '{"headcount": NaN}',
      '{"x": Infinity}',
    ),
    fc.integer({ min: 1, max: JSON.stringify(VALID).length - 1 }).map((n) => JSON.stringify(VALID).slice(0, n)),
  )
  .map((raw) => ({ what: `malformed JSON ${raw.slice(0, 30)}`, field: 'body', raw }));

const invalidCase: fc.Arbitrary<Case> = fc.oneof(
  wrongTypedCount,
  negativeCount,
  pastInt32,
  inverted,
  badUnitCode,
  unknownUnit,
  unknownCohort,
  cohortNotForUnit,
  impossibleDate,
  futureDate,
  beforeCampaign,
  unknownField,
  missingField,
  malformedJson,
);

describe('intake: 1,000 invalid report bodies', () => {
  const fx = useService(intakeService, async (events) => {
    await events.unit({ code: '842', type: 'district' });
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '842' });
    const portal = await events.key('portal', '29236');
    return { portal };
  });

  it('answers each with a 4xx problem+json naming the field; stores and publishes nothing; keeps serving', async () => {
    const cases: Case[] = fc.sample(invalidCase, { seed: 3359, numRuns: 998 });
    const tenMb = JSON.stringify({ ...VALID, orgUnitCode: 'x'.repeat(10 * 1024 * 1024) });
    cases.push(
      { what: '10 MB body', field: 'body', raw: tenMb },
      { what: '10 MB body of counts', field: 'body', raw: `[${'1,'.repeat(5 * 1024 * 1024)}1]` },
    );
    expect(cases).toHaveLength(1000);

    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        const res =
          c.raw !== undefined
            ? await http(fx.svc, 'POST', '/v1/reports', {
                key: fx.world.portal,
                raw: c.raw,
                headers: { 'content-type': 'application/json' },
              })
            : await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal, body: c.body });
        const fields: string[] = (res.body?.errors ?? []).map((e: { field: string }) => e.field);
        const ok =
          res.status >= 400 &&
          res.status < 500 &&
          (res.headers.get('content-type') ?? '').includes('application/problem+json') &&
          fields.includes(c.field);
        if (!ok) failures.push(`${c.what}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(failures).toEqual([]);

    const ds = fx.svc.app.get(DataSource);
    const counts: Array<{ reports: string; heads: string; outbox: string; keys: string }> = await ds.query(
      `SELECT (SELECT count(*) FROM reports) AS reports, (SELECT count(*) FROM report_heads) AS heads,
              (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM idempotent_requests) AS keys`,
    );
    expect(counts[0]).toEqual({ reports: '0', heads: '0', outbox: '0', keys: '0' });

    const health = await http(fx.svc, 'GET', '/health', { key: null });
    expect(health.status).toBe(200);
    const valid = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal, body: VALID });
    expect(valid.status).toBe(202);
    expect(valid.body.revision).toBe(1);
  }, 180_000); // ~10 s on an idle machine; generous for a shared 2-core box
});
