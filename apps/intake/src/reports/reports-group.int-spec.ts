import { DataSource } from 'typeorm';
import { intakeService } from '../main';
import { reportBody } from '../../test/report-fixture';
import { http, useService } from '@test/support/service-harness';
import { ReportGroupWriter } from './report-group-writer';

/** Single reports sent at once share transactions (group commit); each request keeps its own answer. */
describe('intake: concurrent single reports written together', () => {
  const fx = useService(intakeService, async (events) => {
    await events.unit({ code: '842', type: 'district' });
    await events.unit({ code: '843', type: 'district' });
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '842' });
    await events.unit({ code: '29239', type: 'commune', adminParentCode: '843' });
    await events.unit({ code: '29300', type: 'commune', adminParentCode: '843', active: false });
    const portal842 = await events.key('portal', '842');
    const portal843 = await events.key('portal', '843');
    return { portal842, portal843 };
  });
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
    fx.svc.app.get(DataSource).query(sql, params);
  const report = reportBody;

  it('answers each request on its own: accepted, unchanged, corrections in order, 403 / 404 / 422 without sinking the others', async () => {
    const writer = fx.svc.app.get(ReportGroupWriter);
    writer.recentGroupSizes.length = 0;
    const sends: Array<{ key: string; body: Record<string, unknown>; expect: number; kind: string }> = [];
    for (let day = 4; day <= 23; day++) {
      const asOf = `2020-08-${String(day).padStart(2, '0')}`;
      sends.push({ key: fx.world.portal842, body: report({ asOf }), expect: 202, kind: 'new' });
      sends.push({ key: fx.world.portal843, body: report({ orgUnitCode: '29239', asOf }), expect: 202, kind: 'new' });
      sends.push({ key: fx.world.portal842, body: report({ orgUnitCode: '29239', asOf }), expect: 403, kind: 'scope' });
      sends.push({ key: fx.world.portal843, body: report({ orgUnitCode: 'NOPE', asOf }), expect: 404, kind: 'unknown' });
      sends.push({ key: fx.world.portal843, body: report({ orgUnitCode: '29300', asOf }), expect: 422, kind: 'retired' });
      sends.push({ key: fx.world.portal842, body: report({ asOf, cohort: 'students' }), expect: 422, kind: 'cohort' });
    }
    // The same report three times and a correction, all at once: one revision for the three, one more for the correction.
    const same = report({ asOf: '2020-08-26' });
    for (let i = 0; i < 3; i++) sends.push({ key: fx.world.portal842, body: same, expect: 202, kind: 'same' });
    const answers = await Promise.all(sends.map((s) => http(fx.svc, 'POST', '/v1/reports', { key: s.key, body: s.body })));
    answers.forEach((a, i) =>
      expect({ i, kind: sends[i].kind, status: a.status }).toEqual({ i, kind: sends[i].kind, status: sends[i].expect }),
    );
    for (const [i, a] of answers.entries()) {
      if (sends[i].kind === 'scope') expect(a.body.detail).toContain('may not act for unit 29239');
      if (sends[i].kind === 'unknown')
        expect(a.body.errors).toEqual([{ field: 'orgUnitCode', message: 'orgUnitCode NOPE is not a known unit' }]);
      if (sends[i].kind === 'retired') expect(a.body.errors[0].message).toContain('retired');
    }
    const sameAnswers = answers.filter((_, i) => sends[i].kind === 'same').map((a) => a.body);
    expect(new Set(sameAnswers.map((b) => b.reportId)).size).toBe(1);
    expect(sameAnswers.every((b) => b.revision === 1)).toBe(true);

    // Shared transactions did happen.
    expect(writer.recentGroupSizes.some((n) => n > 1)).toBe(true);

    // What is stored: one row per accepted report, recorded under the key that sent it, and one event each.
    const rows = await q<{ org_unit_code: string; submitted_by: string; n: number }>(
      `SELECT org_unit_code, submitted_by, count(*)::int AS n FROM reports GROUP BY 1, 2 ORDER BY 1`,
    );
    expect(rows.map((r) => [r.org_unit_code, r.n])).toEqual([
      ['29236', 21],
      ['29239', 20],
    ]);
    expect(new Set(rows.map((r) => r.submitted_by)).size).toBe(2);
    expect(Number((await q<{ n: string }>(`SELECT count(*) AS n FROM outbox`))[0].n)).toBe(41);

    // A correction of one of them, then the same again: revision 2, then unchanged.
    const c1 = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal842, body: { ...same, installed: 501 } });
    const c2 = await http(fx.svc, 'POST', '/v1/reports', { key: fx.world.portal842, body: { ...same, installed: 501 } });
    expect(c1.body.revision).toBe(2);
    expect(c2.body).toEqual(c1.body);
  });
});
