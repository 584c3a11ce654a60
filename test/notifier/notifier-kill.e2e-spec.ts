import { waitFor } from '../support/int-env';
import { http } from '../support/service-harness';
import { System } from '../support/system';
import { pdfText } from './pdf-text';
import { SmtpSink } from './smtp-sink';

const A = 'a@travinh.gov.vn';
const B = 'b@travinh.gov.vn';
const C = 'c@travinh.gov.vn';

/**
 * The notifier as a process, killed (SIGKILL) while the SMTP server keeps it waiting on a recipient: after
 * the restart every recipient has the report exactly once, and the log shows the interrupted attempt.
 */
describe('notifier killed mid-delivery', () => {
  let sys: System;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    sys = await System.create('notifier-kill', {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_TIMEOUT_SECONDS: '120',
      NOTIFIER_DELIVERY_POLL_MS: '200',
      NOTIFIER_SCHEDULE_POLL_MS: '3600000',
    });
    await sys.startMany(['compliance', 'notifier']);
  }, 180_000);

  afterAll(async () => {
    await sys?.dispose();
    await smtp?.close();
  });

  it('sends no duplicate: the recipient it was sending to gets the report once after the restart, the others once', async () => {
    const notifier = { url: sys.url('notifier') };
    const opts = (body: unknown) => ({ key: sys.adminKey, body });
    for (const email of [A, B, C])
      expect((await http(notifier, 'POST', '/v1/report-subscriptions', opts({ email, name: email }))).status).toBe(201);
    smtp.onRcpt = (address, seen) => (address === B && seen === 1 ? 'stall' : 'accept');

    expect((await http(notifier, 'POST', '/v1/report-deliveries', opts({ date: '2020-08-30' }))).body.enqueued).toBe(3);
    await waitFor(async () => smtp.to(A).length === 1 && smtp.rcptSeen.includes(B), 'A delivered and B under way', 90_000);
    await sys.kill('notifier');

    sys.start('notifier');
    await sys.waitHealthy('notifier');
    await waitFor(async () => smtp.to(B).length === 1 && smtp.to(C).length === 1, 'B and C delivered after the restart', 90_000);
    await new Promise((r) => setTimeout(r, 1500)); // a duplicate would have come by now
    expect([smtp.to(A).length, smtp.to(B).length, smtp.to(C).length]).toEqual([1, 1, 1]);

    const log = (await http(notifier, 'GET', '/v1/deliveries?day=2020-08-30', { key: sys.adminKey })).body.items as Array<{
      recipient: string;
      status: string;
      attemptLog: Array<{ outcome: string }>;
    }>;
    expect(log.map((d) => [d.recipient, d.status, d.attemptLog.map((a) => a.outcome)])).toEqual([
      [A, 'sent', ['sent']],
      [B, 'sent', ['interrupted', 'sent']],
      [C, 'sent', ['sent']],
    ]);
    const pdf = smtp.to(B)[0].mail.attachments.find((a) => a.contentType === 'application/pdf')!;
    const text = pdfText(pdf.content);
    expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(text).toContain('Trà Vinh, ngày 30 tháng 8 năm 2020');
  });
});
