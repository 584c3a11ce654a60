import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotifierClock } from '../common/notifier-clock';
import { poll } from '../common/poller';
import { DeliveriesService, type NewDelivery } from '../deliveries/deliveries.service';
import { NotifierConfig } from '../notifier.config';
import { RemindersService } from '../reminders/reminders.service';

export interface ReportSchedule {
  time: string;
  enabled: boolean;
  remindersEnabled: boolean;
  reminderDaysBefore: number[];
  timeZone: string;
}

/**
 * Every replica looks, every NOTIFIER_SCHEDULE_POLL_MS, whether the day's send time has come in Vietnam;
 * from then on that day it enqueues the report for every active subscriber and the day's reminders. The
 * deliveries' unique key makes every look after the first (on any replica) change nothing, and a replica
 * that was down at the send time catches up when it starts.
 */
@Injectable()
export class ReportScheduleService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('schedule');
  private poller: { stop(): void } | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly config: NotifierConfig,
    private readonly clock: NotifierClock,
    private readonly deliveries: DeliveriesService,
    private readonly reminders: RemindersService,
  ) {}

  onApplicationBootstrap(): void {
    // The first look after one interval: a replica starting after the send time catches up then.
    const every = this.config.NOTIFIER_SCHEDULE_POLL_MS;
    this.poller = poll(
      () => this.runDue(),
      every,
      every,
      (err) => this.log.error(`schedule pass failed: ${err.message}`),
    );
  }

  onApplicationShutdown(): void {
    this.poller?.stop();
  }

  async get(): Promise<ReportSchedule> {
    const [r]: Array<{ send_at: string; enabled: boolean; reminders_enabled: boolean; days: number[] }> = await this.ds.query(
      `SELECT send_at, enabled, reminders_enabled, reminder_days_before AS days FROM report_schedule`,
    );
    return {
      time: r.send_at,
      enabled: r.enabled,
      remindersEnabled: r.reminders_enabled,
      reminderDaysBefore: r.days,
      timeZone: this.config.CAMPAIGN_TIME_ZONE,
    };
  }

  async set(s: Omit<ReportSchedule, 'timeZone'>): Promise<ReportSchedule> {
    await this.ds.query(
      `UPDATE report_schedule SET send_at = $1, enabled = $2, reminders_enabled = $3, reminder_days_before = $4, updated_at = now()`,
      [s.time, s.enabled, s.remindersEnabled, [...new Set(s.reminderDaysBefore)].sort((a, b) => b - a)],
    );
    return this.get();
  }

  /** What the schedule asks for now: nothing before the send time, the day's report and reminders from it on. */
  async runDue(): Promise<{ day: string; reports: number; reminders: number } | null> {
    const s = await this.get();
    if (!s.enabled || this.clock.timeOfDay() < s.time) return null;
    const day = this.clock.today();
    const reports = await this.enqueueReports(day);
    const reminders = s.remindersEnabled ? (await this.reminders.enqueue(day)).added : 0;
    if (reports || reminders) this.log.log(`${day}: ${reports} report and ${reminders} reminder deliveries enqueued`);
    return { day, reports, reminders };
  }

  /** The day's report for every active subscriber (the schedule, or an admin's "send now"). */
  async enqueueReports(day: string): Promise<number> {
    const subs: Array<{ email: string; lang: 'vi' | 'en' }> = await this.ds.query(
      `SELECT email, lang FROM report_subscriptions WHERE active ORDER BY id`,
    );
    const rows: NewDelivery[] = subs.map((s) => ({
      kind: 'report',
      day,
      recipient: s.email,
      channel: 'email',
      address: s.email,
      lang: s.lang,
    }));
    return this.deliveries.enqueue(rows);
  }
}
