import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { HttpSmsGateway } from '../channels/sms-channel';
import { MailSender } from '../channels/mail-sender';
import { NotifierClock } from '../common/notifier-clock';
import { poll } from '../common/poller';
import { NotifierConfig } from '../notifier.config';
import { ReportSource, type DailyReportFiles, type ReportLang } from '../reports/report-source';
import { parseBackoff, retryDelayMs } from './retry-backoff';

export type DeliveryKind = 'report' | 'reminder';
export type DeliveryChannel = 'email' | 'sms';

export interface NewDelivery {
  kind: DeliveryKind;
  day: string;
  /** Who it is for: the subscriber's e-mail for a report, the unit's code for a reminder. */
  recipient: string;
  channel: DeliveryChannel;
  address: string;
  lang: ReportLang;
  subject?: string;
  body?: string;
}

type DeliveryRow = Omit<NewDelivery, 'subject' | 'body'> & { id: string; subject: string | null; body: string | null };

const WORDS = {
  vi: {
    subject: (d: string) => `Báo cáo kết quả triển khai cài đặt ứng dụng Bluezone ngày ${d}`,
    text: (d: string) => `Sở Thông tin và Truyền thông gửi báo cáo ngày ${d} (tệp PDF đính kèm).`,
  },
  en: {
    subject: (d: string) => `Bluezone installation report for ${d}`,
    text: (d: string) => `The Department of Information and Communications sends the report for ${d} (PDF attached).`,
  },
} as const;

const dmy = (date: string) => date.split('-').reverse().join('/');

/**
 * The outbox of messages. A delivery is a row, unique per (kind, day, recipient, channel): enqueuing it again
 * (another replica's schedule, a restart, an admin's "send now") changes nothing. A replica sends a delivery
 * while holding its row lock (SELECT … FOR NO KEY UPDATE SKIP LOCKED, which lets its attempts reference it), and marks it sent in the same transaction:
 * no two replicas ever send the same one, and a replica killed mid-send leaves it pending (its transaction
 * rolls back), to be sent by the next that looks. Each attempt is written on its own first (committed
 * whatever happens next), so attempts cut short show up as interrupted.
 */
@Injectable()
export class DeliveriesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('deliveries');
  private readonly backoff: number[];
  readonly replica = `${hostname()}:${process.pid}`;
  private poller: { stop(): void } | null = null;
  private draining: Promise<number> | null = null;
  private stopped = false;
  /** The day's report files, fetched once per (day, language) while a drain sends them. */
  private reports = new Map<string, Promise<DailyReportFiles>>();

  constructor(
    private readonly ds: DataSource,
    private readonly config: NotifierConfig,
    private readonly clock: NotifierClock,
    private readonly mail: MailSender,
    private readonly sms: HttpSmsGateway,
    private readonly source: ReportSource,
  ) {
    this.backoff = parseBackoff(config.NOTIFIER_RETRY_BACKOFF_MS);
  }

  onApplicationBootstrap(): void {
    this.poller = poll(
      () => this.drain(),
      this.config.NOTIFIER_DELIVERY_POLL_MS,
      0,
      (err) => this.log.error(`delivery pass failed: ${err.message}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.poller?.stop();
    await this.draining?.catch(() => undefined);
  }

  /** Adds deliveries that do not exist yet; returns how many were new. */
  async enqueue(rows: readonly NewDelivery[], m: EntityManager | DataSource = this.ds): Promise<number> {
    let added = 0;
    for (const r of rows) {
      const res: unknown[] = await m.query(
        `INSERT INTO deliveries (kind, day, recipient, channel, address, lang, subject, body, next_attempt_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
         ON CONFLICT (kind, day, recipient, channel) DO NOTHING RETURNING id`,
        [r.kind, r.day, r.recipient, r.channel, r.address, r.lang, r.subject ?? null, r.body ?? null, this.clock.now()],
      );
      added += res.length;
    }
    if (added) this.kick();
    return added;
  }

  /** Sends what is due now, one delivery at a time, until nothing is; returns how many were attempted. */
  drain(): Promise<number> {
    this.draining ??= (async () => {
      let n = 0;
      try {
        while (!this.stopped && (await this.attemptNext())) n++;
      } finally {
        this.reports.clear();
        this.draining = null;
      }
      return n;
    })();
    return this.draining;
  }

  private kick(): void {
    if (this.stopped) return;
    void this.drain().catch((err: Error) => this.log.error(`delivery pass failed: ${err.message}`));
  }

  private attemptNext(): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const now = this.clock.now();
      const [d]: DeliveryRow[] = await m.query(
        `SELECT id, kind, to_char(day, 'YYYY-MM-DD') AS day, recipient, channel, address, lang, subject, body
         FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED`,
        [now],
      );
      if (!d) return false;
      // An attempt still "sending" while we hold the row was cut short (its replica died): say so.
      await this.ds.query(
        `UPDATE delivery_attempts SET outcome = 'interrupted', detail = 'the replica stopped during the attempt' WHERE delivery_id = $1 AND outcome = 'sending'`,
        [d.id],
      );
      const [{ attempt }]: Array<{ attempt: number }> = await this.ds.query(
        `INSERT INTO delivery_attempts (delivery_id, attempt, replica, started_at, outcome)
         SELECT $1, count(*) + 1, $2, $3, 'sending' FROM delivery_attempts WHERE delivery_id = $1 RETURNING attempt`,
        [d.id, this.replica, now],
      );
      try {
        const answer = await this.send(d);
        const at = this.clock.now();
        await m.query(
          `UPDATE deliveries SET status = 'sent', attempts = $2, sent_at = $3, last_error = NULL, message_id = $4 WHERE id = $1`,
          [d.id, attempt, at, messageIdOf(d)],
        );
        await m.query(
          `UPDATE delivery_attempts SET outcome = 'sent', finished_at = $3, detail = $4 WHERE delivery_id = $1 AND attempt = $2`,
          [d.id, attempt, at, answer.slice(0, 1000)],
        );
        this.log.log(`${d.kind} ${d.day} to ${d.recipient} by ${d.channel}: sent (attempt ${attempt})`);
      } catch (err) {
        const reason = (err as Error).message.slice(0, 1000);
        const at = this.clock.now();
        const givenUp = attempt >= this.config.NOTIFIER_MAX_ATTEMPTS;
        await m.query(`UPDATE deliveries SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5 WHERE id = $1`, [
          d.id,
          givenUp ? 'failed' : 'pending',
          attempt,
          new Date(at.getTime() + retryDelayMs(this.backoff, attempt)),
          reason,
        ]);
        await m.query(
          `UPDATE delivery_attempts SET outcome = 'failed', finished_at = $3, detail = $4 WHERE delivery_id = $1 AND attempt = $2`,
          [d.id, attempt, at, reason],
        );
        this.log.warn(
          `${d.kind} ${d.day} to ${d.recipient} by ${d.channel}: attempt ${attempt} failed${givenUp ? ', given up' : ''}: ${reason}`,
        );
      }
      return true;
    });
  }

  private async send(d: DeliveryRow): Promise<string> {
    if (d.channel === 'sms') return this.sms.send(d.address, d.body ?? '');
    if (d.kind === 'reminder')
      return this.mail.send({ to: d.address, subject: d.subject ?? '', text: d.body ?? '', messageId: messageIdOf(d) });
    const key = `${d.day}/${d.lang}`;
    let files = this.reports.get(key);
    if (!files) {
      files = this.source.fetch(d.day, d.lang);
      files.catch(() => this.reports.delete(key));
      this.reports.set(key, files);
    }
    const f = await files;
    const w = WORDS[d.lang];
    return this.mail.send({
      to: d.address,
      subject: w.subject(dmy(d.day)),
      text: w.text(dmy(d.day)),
      html: f.html,
      messageId: messageIdOf(d),
      attachments: [{ filename: f.pdfName, content: f.pdf, contentType: 'application/pdf' }],
    });
  }
}

/** One Message-ID per delivery, whatever the attempt: a receiving system that got it twice can tell. */
function messageIdOf(d: Pick<DeliveryRow, 'id' | 'kind' | 'day'>): string {
  return `<${d.kind}-${d.day}-${d.id}@bluezone-notifier>`;
}
