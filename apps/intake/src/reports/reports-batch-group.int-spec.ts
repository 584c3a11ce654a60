import { DataSource } from 'typeorm';
import { intakeService } from '../main';
import { reportBody } from '../../test/report-fixture';
import { http, useService } from '@test/support/service-harness';
import { ReportBatchWriter } from './report-batch-writer';

/** Batches sent at once share transactions (group commit); each keeps its own answer, key and revisions. */
describe('intake: concurrent batches written together', () => {
  const fx = useService(intakeService, async (events) => {
    await events.unit({ code: '842', type: 'district' });
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '842' });
    await events.unit({ code: '29239', type: 'commune', adminParentCode: '842' });
    const district = await events.key('portal', '842');
    const commune = await events.key('portal', '29236');
    return { district, commune };
  });
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
    fx.svc.app.get(DataSource).query(sql, params);
  const report = reportBody;
  const days = ['2020-08-03', '2020-08-04', '2020-08-05', '2020-08-06'];

  it('gives overlapping keys consecutive revisions, loses none, and keeps each batch’s Idempotency-Key', async () => {
    const writer = fx.svc.app.get(ReportBatchWriter);
    writer.recentGroupSizes.length = 0;
    // Twelve batches at once, all correcting the same heads (each with counts of its own) and adding one key of their own.
    const batches = Array.from({ length: 12 }, (_, b) => ({
      key: b % 2 ? fx.world.district : fx.world.commune,
      body: {
        reports: [
          ...days.map((asOf) => report({ asOf, installed: 500 + b })),
          report({ orgUnitCode: b % 2 ? '29239' : '29236', asOf: `2020-08-${String(10 + b).padStart(2, '0')}` }),
        ],
      },
    }));
    // With keys: the same request twice (one write, the same answer), and the key reused for another body (422).
    const keyed = { reports: [report({ asOf: '2020-08-07', installed: 600 })] };
    const sends = [
      ...batches.map((b) => ({ ...b, headers: {} as Record<string, string> })),
      { key: fx.world.commune, body: keyed, headers: { 'idempotency-key': 'wave-1' } },
      { key: fx.world.commune, body: keyed, headers: { 'idempotency-key': 'wave-1' } },
      { key: fx.world.district, body: { reports: [report({ asOf: '2020-08-08' })] }, headers: { 'idempotency-key': 'wave-2' } },
      { key: fx.world.district, body: { reports: [report({ asOf: '2020-08-09' })] }, headers: { 'idempotency-key': 'wave-2' } },
    ];
    const answers = await Promise.all(sends.map((s) => http(fx.svc, 'POST', '/v1/reports/batch', s)));

    for (const a of answers.slice(0, 12)) expect(a.body).toMatchObject({ accepted: 5, unchanged: 0, rejected: 0 });
    // Every batch corrected every shared head once: revisions 1..12 for each, each given to one batch.
    for (const [j, asOf] of days.entries()) {
      const revisions = answers.slice(0, 12).map((a) => a.body.results[j].revision as number);
      expect({ asOf, revisions: [...revisions].sort((x, y) => x - y) }).toEqual({
        asOf,
        revisions: Array.from({ length: 12 }, (_, i) => i + 1),
      });
    }
    const heads = await q<{ as_of: string; revision: number; installed: number }>(
      `SELECT as_of::text, revision, installed FROM report_heads WHERE org_unit_code = '29236' AND as_of = ANY($1::date[]) ORDER BY as_of`,
      [days],
    );
    expect(heads.map((h) => h.revision)).toEqual([12, 12, 12, 12]);
    // The head holds the counts of the batch that got revision 12.
    const last = answers.findIndex((a) => a.body.results[0].revision === 12);
    expect(heads[0].installed).toBe(500 + last);
    const stored = await q<{ n: string }>(`SELECT count(*) AS n FROM reports WHERE org_unit_code = '29236' AND as_of = ANY($1::date[])`, [
      days,
    ]);
    expect(Number(stored[0].n)).toBe(48);
    const events = await q<{ n: string }>(
      `SELECT count(*) AS n FROM outbox WHERE envelope->'data'->>'orgUnitCode' = '29236' AND envelope->'data'->>'asOf' = ANY($1::text[])`,
      [days],
    );
    expect(Number(events[0].n)).toBe(48);

    const [k1, k1again, k2, k2other] = answers.slice(12);
    expect(k1.status).toBe(200);
    expect(k1again.status).toBe(200);
    expect(k1again.body).toEqual(k1.body);
    expect([k1, k1again].filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    expect((await q<{ n: string }>(`SELECT count(*) AS n FROM reports WHERE as_of = '2020-08-07'`))[0].n).toBe('1');
    // One of the two bodies under wave-2 is written, the other refused; the batches around them are not.
    expect([k2.status, k2other.status].sort()).toEqual([200, 422]);
    expect((await q<{ n: string }>(`SELECT count(*) AS n FROM reports WHERE as_of IN ('2020-08-08', '2020-08-09')`))[0].n).toBe('1');

    // Shared transactions did happen.
    expect(writer.recentGroupSizes.some((n) => n > 1)).toBe(true);
  });
});
