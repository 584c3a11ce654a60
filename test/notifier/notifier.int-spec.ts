import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import {
  FigureUpdatedV1,
  TargetSetV1,
  TargetStatusChangedV1,
  TargetStatusesChangedV1,
  TargetStatusWithdrawnV1,
  type TargetStatusChangedV1Data,
} from '@app/contracts';
import { figureData, statusData } from '../../apps/compliance/test/rates-events';
import { complianceService } from '../../apps/compliance/src/main';
import { NotifierClock } from '../../apps/notifier/src/common/notifier-clock';
import { notifierService } from '../../apps/notifier/src/main';
import { ReportScheduleService } from '../../apps/notifier/src/reports/report-schedule.service';
import { waitFor } from '../support/int-env';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '../support/service-harness';
import { pdfText } from './pdf-text';
import { SmtpSink } from './smtp-sink';

const CHAIRMAN = 'chutich@travinh.gov.vn';
const VICE = 'phochutich@travinh.gov.vn';
const DEADLINE = '2020-08-30';

/** The heads of the units, with the contacts the registry's unit events carry (read by the notifier when present). */
const HEADS = {
  '844': { name: 'Nguyễn Văn Hùng', title: 'Chủ tịch UBND huyện Càng Long', email: 'hung.cl@travinh.gov.vn', phone: '0912345678' },
  SCH1: { name: 'Lê Thị Hồng Nhung', title: 'Hiệu trưởng', email: 'nhung.thpt@travinh.edu.vn' },
  MET1: { name: 'Trần Văn Đạt', title: 'Chủ tịch Hội Nông dân', email: 'dat.hnd@travinh.gov.vn' },
  SILENT1: { name: 'Phạm Văn Im', title: 'Giám đốc', email: 'im.dn@example.vn' },
  OPT1: { name: 'Võ Thị Ngưng', title: 'Giám đốc', email: 'ngung.dn@example.vn' },
};

describe('notifier: the daily report by e-mail and the heads’ reminders, against compliance, PostgreSQL, NATS and an SMTP server', () => {
  let compliance: RunningService;
  let notifiers: RunningService[];
  let smtp: SmtpSink;
  let gateway: Server;
  const sms: Array<{ to: string; message: string }> = [];
  let registry: EventInjector;
  let rates: EventInjector;

  const setClock = (iso: string) => notifiers.forEach((n) => n.app.get(NotifierClock).set(new Date(iso)));
  const deliveries = async (q: string) => (await http(notifiers[0], 'GET', `/v1/deliveries?${q}`)).body.items as any[];

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        sms.push(JSON.parse(body) as { to: string; message: string });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"queued"}');
      });
    });
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));

    compliance = await startService(complianceService);
    const env = {
      COMPLIANCE_URL: compliance.url,
      DASHBOARD_PUBLIC_URL: compliance.url,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_TIMEOUT_SECONDS: '10',
      SMS_GATEWAY_URL: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`,
      NOTIFIER_SCHEDULE_POLL_MS: '3600000',
      NOTIFIER_DELIVERY_POLL_MS: '100',
      NOTIFIER_RETRY_BACKOFF_MS: '300',
    };
    // Two replicas of the notifier on one schema, as deploy/ runs them.
    notifiers = [];
    for (let i = 0; i < 2; i++)
      notifiers.push(await startService(notifierService, { databaseUrl: compliance.databaseUrl, namespace: compliance.namespace, env }));
    registry = await EventInjector.open(compliance.namespace, 'registry');
    rates = await EventInjector.open(compliance.namespace, 'rates');

    await registry.unit({
      code: '84',
      name: 'Tỉnh Trà Vinh',
      type: 'province',
      level: 1,
      head: { name: 'Đồng Văn Lâm', title: 'Chủ tịch UBND tỉnh' },
    });
    await registry.unit({
      code: '844',
      name: 'Huyện Càng Long',
      type: 'district',
      level: 2,
      adminParentCode: '84',
      accountableToCode: '84',
      head: HEADS['844'],
    });
    await registry.unit({ code: 'SCH1', name: 'Trường THPT Cầu Ngang', type: 'school', accountableToCode: '844', head: HEADS.SCH1 });
    await registry.unit({ code: 'MET1', name: 'Hội Nông dân tỉnh', type: 'mass_org', accountableToCode: '84', head: HEADS.MET1 });
    await registry.unit({
      code: 'SILENT1',
      name: 'Công ty TNHH Im Lặng',
      type: 'enterprise',
      accountableToCode: '84',
      head: HEADS.SILENT1,
    });
    await registry.unit({ code: 'OPT1', name: 'Công ty CP Ngưng Nhắc', type: 'enterprise', accountableToCode: '84', head: HEADS.OPT1 });
    await registry.publish(TargetSetV1, 'T100', {
      targetId: 'T100',
      name: 'Hội viên, đoàn viên cài đặt 100%',
      metric: 'install_rate',
      cohorts: ['association_members'],
      tree: 'accountability',
      scopeUnitTypes: [],
      scopeLevels: [],
      threshold: 1,
      deadline: DEADLINE,
      campaignStart: '2020-08-01',
      reportingWindowDays: 7,
      revision: 1,
    });
    for (const day of ['2020-08-28', '2020-08-29', '2020-08-30'])
      await rates.publish(
        FigureUpdatedV1,
        '84',
        figureData('84', 'association_members', day, { headcount: 5000, smartphoneHolders: 5000, installed: 4890, bluetoothOn: 4000 }),
      );
    const st = (code: string, status: TargetStatusChangedV1Data['status'], value: number | null, gap: number, reporting = true) => ({
      ...statusData('T100', code, '2020-08-25', status, value, 1, gap),
      reporting,
    });
    // One flush's statuses, as rates publishes them: one bundle (TargetStatusesChangedV1), read by compliance and the notifier.
    await rates.publish(TargetStatusesChangedV1, '84', {
      statuses: [
        st('84', 'at_risk', 0.978, 110),
        st('844', 'at_risk', 0.9, 300),
        st('SCH1', 'at_risk', 0.91, 45),
        st('MET1', 'met', 1, 0),
        st('SILENT1', 'no_data', null, 0, false),
        st('OPT1', 'at_risk', 0.8, 10),
      ],
    });
    await settle(compliance);
    for (const n of notifiers) await settle(n);

    expect(
      (await http(notifiers[0], 'POST', '/v1/report-subscriptions', { body: { email: CHAIRMAN, name: 'Chủ tịch UBND tỉnh' } })).status,
    ).toBe(201);
    expect(
      (await http(notifiers[0], 'POST', '/v1/report-subscriptions', { body: { email: VICE, name: 'Phó Chủ tịch UBND tỉnh' } })).status,
    ).toBe(201);
    expect((await http(notifiers[0], 'PUT', '/v1/reminder-opt-outs/OPT1', { body: { reason: 'thử nghiệm' } })).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await registry?.close();
    await rates?.close();
    for (const n of notifiers ?? []) await disposeService(n, { database: false, namespace: false });
    if (compliance) await disposeService(compliance);
    await smtp?.close();
    gateway?.close();
  });

  it('sends the day’s report at the scheduled Vietnam time, once per recipient across two replicas, with the official PDF attached', async () => {
    const put = await http(notifiers[0], 'PUT', '/v1/report-schedule', { body: { time: '17:00', remindersEnabled: false } });
    expect(put.body).toMatchObject({ time: '17:00', enabled: true, timeZone: 'Asia/Ho_Chi_Minh' });

    setClock('2020-08-30T09:59:00Z'); // 16:59 in Trà Vinh
    expect(await Promise.all(notifiers.map((n) => n.app.get(ReportScheduleService).runDue()))).toEqual([null, null]);
    expect(await deliveries('kind=report')).toEqual([]);

    setClock('2020-08-30T10:01:00Z'); // 17:01: both replicas look at once, and again
    for (let i = 0; i < 3; i++) await Promise.all(notifiers.map((n) => n.app.get(ReportScheduleService).runDue()));
    await waitFor(
      async () => smtp.received.length >= 2 && (await deliveries('kind=report&status=sent')).length === 2,
      'two reports sent',
      60_000,
    );
    await new Promise((r) => setTimeout(r, 1000)); // any duplicate would arrive by now
    expect(smtp.to(CHAIRMAN)).toHaveLength(1);
    expect(smtp.to(VICE)).toHaveLength(1);
    expect(smtp.received).toHaveLength(2);

    const mail = smtp.to(CHAIRMAN)[0].mail;
    expect(mail.subject).toBe('Báo cáo kết quả triển khai cài đặt ứng dụng Bluezone ngày 30/08/2020');
    expect(mail.html).toContain('Báo cáo kết quả triển khai cài đặt ứng dụng Bluezone ngày 30/08/2020');
    const pdf = mail.attachments.find((a) => a.contentType === 'application/pdf');
    expect(pdf?.filename).toBe('bao-cao-bluezone-2020-08-30.pdf');
    const text = pdfText(pdf!.content);
    for (const expected of [
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
      'Trà Vinh, ngày 30 tháng 8 năm 2020',
      'Chủ tịch UBND tỉnh',
      '97,80%', // the province's association members: 4,890 of 5,000
      'Trường THPT Cầu Ngang',
    ])
      expect(text).toContain(expected);

    const log = await deliveries('kind=report&day=2020-08-30');
    expect(log.map((d) => [d.recipient, d.status, d.attemptLog.length])).toEqual([
      [CHAIRMAN, 'sent', 1],
      [VICE, 'sent', 1],
    ]);
    // "Send now" for a day already delivered sends nothing more.
    expect((await http(notifiers[1], 'POST', '/v1/report-deliveries', { body: { date: '2020-08-30' } })).body).toEqual({
      date: '2020-08-30',
      enqueued: 0,
    });
  });

  it('keeps trying a server that refuses for a while, with backoff, and delivers once it accepts; every attempt is in the log', async () => {
    smtp.onRcpt = (_address, seen) => (seen <= 3 ? 'refuse' : 'accept'); // the first report already made one RCPT each
    const before = smtp.received.length;
    const res = await http(notifiers[0], 'POST', '/v1/report-deliveries', { body: { date: '2020-08-29' } });
    expect(res.status).toBe(202);
    expect(res.body.enqueued).toBe(2);
    await waitFor(
      async () => (await deliveries('kind=report&day=2020-08-29&status=sent')).length === 2,
      'the refused reports sent at last',
      60_000,
    );
    expect(smtp.received.length - before).toBe(2);
    for (const d of await deliveries('kind=report&day=2020-08-29')) {
      expect(d.attemptLog.map((a: { outcome: string }) => a.outcome)).toEqual(['failed', 'failed', 'sent']);
      expect(d.attemptLog[0].detail).toMatch(/451/);
      expect(new Date(d.attemptLog[1].startedAt).getTime() - new Date(d.attemptLog[0].finishedAt).getTime()).toBeGreaterThanOrEqual(250);
    }
    smtp.onRcpt = () => 'accept';
  });

  it('reminds, a day before the deadline, only the heads of the short and the silent units, once, by e-mail and SMS', async () => {
    const preview = await http(notifiers[0], 'GET', '/v1/reminders?date=2020-08-29');
    expect(preview.body.units.map((u: { unitCode: string; skipped: string | null }) => [u.unitCode, u.skipped])).toEqual([
      ['844', null],
      ['OPT1', 'opted_out'],
      ['SCH1', null],
      ['SILENT1', null],
    ]);
    const before = smtp.received.length;
    const sent = await http(notifiers[1], 'POST', '/v1/reminder-deliveries', { body: { date: '2020-08-29' } });
    expect(sent.body.enqueued).toBe(4); // three e-mails, one SMS (only the district head has a phone)
    await waitFor(async () => (await deliveries('kind=reminder&day=2020-08-29&status=sent')).length === 4, 'reminders sent', 60_000);
    const reminders = smtp.received.slice(before);
    expect(reminders.map((r) => r.to[0]).sort()).toEqual([HEADS['844'].email, HEADS.SCH1.email, HEADS.SILENT1.email].sort());

    const school = smtp.to(HEADS.SCH1.email)[0].mail;
    expect(school.subject).toBe('Nhắc việc cài đặt Bluezone: Trường THPT Cầu Ngang, ngày 29/08/2020');
    expect(school.text).toContain('Kính gửi đồng chí Lê Thị Hồng Nhung, Hiệu trưởng');
    expect(school.text).toContain('đơn vị đạt 91,00% (yêu cầu 100,00%), còn thiếu 45 người; hạn 30/08/2020 (còn 1 ngày)');
    expect(school.text).toContain('chịu trách nhiệm trước Chủ tịch UBND huyện Càng Long Nguyễn Văn Hùng (Huyện Càng Long)');
    // Where the school's page is: followed from the e-mail, the sign-in form that leads back to it.
    const link = /Xem số liệu chi tiết của đơn vị: (\S+)/.exec(school.text ?? '')?.[1];
    expect(link).toBe(`${compliance.url}/dashboard/units/SCH1?date=2020-08-29`);
    const page = await fetch(link!);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('<input type="hidden" name="unit" value="SCH1">');
    expect(smtp.to(HEADS.SILENT1.email)[0].mail.text).toContain('chưa báo cáo số liệu');
    expect(sms).toHaveLength(1);
    expect(sms[0].to).toBe('0912345678');
    expect(sms[0].message).toContain('Huyen Cang Long');
    expect(sms[0].message).toContain('thieu 300 nguoi, han 30/08/2020');
    expect(sms[0].message).not.toMatch(/[^\x20-\x7e]/); // no diacritics left for the gateway

    // Once per unit and channel per day, however often it is asked.
    expect((await http(notifiers[0], 'POST', '/v1/reminder-deliveries', { body: { date: '2020-08-29' } })).body.enqueued).toBe(0);
    // Two days before the deadline (not a reminder day): only the silent unit hears from us.
    const d28 = await http(notifiers[0], 'POST', '/v1/reminder-deliveries', { body: { date: '2020-08-28' } });
    expect(d28.body.units.filter((u: { channels: string[] }) => u.channels.length).map((u: { unitCode: string }) => u.unitCode)).toEqual([
      'SILENT1',
    ]);
    // After the deadline nobody is reminded: the report names them.
    expect((await http(notifiers[0], 'GET', '/v1/reminders?date=2020-08-31')).body.units).toEqual([]);
  });

  it('reminds no unit whose status rates withdrew (it merged away or left the target), from the day it did', async () => {
    const units = async (date: string) =>
      (await http(notifiers[0], 'GET', `/v1/reminders?date=${date}`)).body.units.map((u: { unitCode: string }) => u.unitCode);
    expect(await units('2020-08-29')).toContain('SCH1');
    await rates.publish(TargetStatusWithdrawnV1, 'SCH1', {
      targetId: 'T100',
      orgUnitCode: 'SCH1',
      date: '2020-08-29',
      previousStatus: 'at_risk',
    });
    for (const n of notifiers) await settle(n);
    expect(await units('2020-08-29')).toEqual(['844', 'OPT1', 'SILENT1']);
    // Its history stands: the status it held before, then none.
    expect(
      await notifiers[0].app
        .get(DataSource)
        .query(`SELECT date::text, status FROM unit_statuses WHERE target_id = 'T100' AND unit_code = 'SCH1' ORDER BY date`),
    ).toEqual([
      { date: '2020-08-25', status: 'at_risk' },
      { date: '2020-08-29', status: null },
    ]);
    // A status of its own (as older streams hold them, one event a status) gives it one again from its day.
    await rates.publish(TargetStatusChangedV1, 'SCH1', {
      ...statusData('T100', 'SCH1', '2020-08-30', 'at_risk', 0.95, 1, 25),
      reporting: true,
    });
    for (const n of notifiers) await settle(n);
    expect(
      await notifiers[0].app
        .get(DataSource)
        .query(`SELECT date::text, status, gap FROM unit_statuses WHERE target_id = 'T100' AND unit_code = 'SCH1' AND date = '2020-08-30'`),
    ).toEqual([{ date: '2020-08-30', status: 'at_risk', gap: 25 }]);
  });

  it('refuses schedules and subscriptions that make no sense, as problem+json naming the field', async () => {
    const bad = await http(notifiers[0], 'PUT', '/v1/report-schedule', { body: { time: '25:00' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('time');
    const mail = await http(notifiers[0], 'POST', '/v1/report-subscriptions', { body: { email: 'not-an-address', name: 'x' } });
    expect(mail.status).toBe(400);
    expect(mail.body.errors.map((e: { field: string }) => e.field)).toContain('email');
    expect((await http(notifiers[0], 'GET', '/v1/deliveries', { key: null })).status).toBe(401);
  });
});
