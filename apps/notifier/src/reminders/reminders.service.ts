import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HttpSmsGateway } from '../channels/sms-channel';
import { NotifierConfig } from '../notifier.config';
import { DeliveriesService, type NewDelivery } from '../deliveries/deliveries.service';
import { reminderItems, type ReminderItem, type ReminderStatus, type ReminderTarget } from './reminder.rules';
import { reminderEmail, reminderSms, type ReminderUnit } from './reminder-text';

interface ContactRow {
  code: string;
  name: string;
  head_name: string | null;
  head_title: string | null;
  head_phone: string | null;
  head_email: string | null;
  acc_name: string | null;
  acc_head_name: string | null;
  acc_head_title: string | null;
  opted_out: boolean;
}

export interface ReminderPlan {
  unitCode: string;
  unitName: string;
  items: Array<{ targetId: string; reason: ReminderItem['reason']; daysLeft: number; value: number | null; gap: number }>;
  channels: Array<'email' | 'sms'>;
  /** Why nobody will hear of it, when nobody will. */
  skipped: 'opted_out' | 'no_contact' | null;
}

/**
 * Reminders to the heads of units that are short of a target near its deadline or have not reported
 * (reminder.rules.ts), at most one per unit, channel and day (the deliveries' unique key), never to a unit
 * that opted out. Units that answer to nobody (the province) are not reminded: the report goes to them.
 */
@Injectable()
export class RemindersService {
  constructor(
    private readonly ds: DataSource,
    private readonly deliveries: DeliveriesService,
    private readonly sms: HttpSmsGateway,
    private readonly config: NotifierConfig,
  ) {}

  async plan(day: string): Promise<{ plans: ReminderPlan[]; messages: NewDelivery[] }> {
    const [schedule]: Array<{ days: number[] }> = await this.ds.query(`SELECT reminder_days_before AS days FROM report_schedule`);
    const targets: ReminderTarget[] = (
      await this.ds.query(
        `SELECT target_id, coalesce(name_vi, name) AS name, to_char(deadline, 'YYYY-MM-DD') AS deadline, threshold FROM targets`,
      )
    ).map((r: { target_id: string; name: string; deadline: string; threshold: string }) => ({
      targetId: r.target_id,
      name: r.name,
      deadline: r.deadline,
      threshold: Number(r.threshold),
    }));
    const statuses: ReminderStatus[] = (
      await this.ds.query(
        // A unit whose latest row is a withdrawal (no status) left the target: nothing to remind it of.
        `SELECT * FROM (
           SELECT DISTINCT ON (target_id, unit_code) target_id, unit_code, status, value, threshold, gap, reporting
           FROM unit_statuses WHERE date <= $1 ORDER BY target_id, unit_code, date DESC) latest
         WHERE status IS NOT NULL`,
        [day],
      )
    ).map(
      (r: {
        target_id: string;
        unit_code: string;
        status: string;
        value: number | null;
        threshold: number;
        gap: number;
        reporting: boolean | null;
      }) => ({
        targetId: r.target_id,
        unitCode: r.unit_code,
        status: r.status,
        value: r.value,
        threshold: r.threshold,
        gap: r.gap,
        reporting: r.reporting,
      }),
    );
    const due = reminderItems(day, targets, statuses, schedule?.days ?? []);
    if (!due.size) return { plans: [], messages: [] };
    const contacts: ContactRow[] = await this.ds.query(
      `SELECT u.code, u.name, u.head_name, u.head_title, u.head_phone, u.head_email,
              a.name AS acc_name, a.head_name AS acc_head_name, a.head_title AS acc_head_title,
              EXISTS (SELECT 1 FROM reminder_opt_outs o WHERE o.unit_code = u.code) AS opted_out
       FROM unit_contacts u LEFT JOIN unit_contacts a ON a.code = u.accountable_to_code
       WHERE u.code = ANY($1) AND u.active AND u.accountable_to_code IS NOT NULL
       ORDER BY u.code`,
      [[...due.keys()]],
    );
    const plans: ReminderPlan[] = [];
    const messages: NewDelivery[] = [];
    for (const c of contacts) {
      const items = due.get(c.code)!;
      const unit: ReminderUnit = {
        code: c.code,
        name: c.name,
        headName: c.head_name,
        headTitle: c.head_title,
        accountableTo: c.acc_name ? { name: c.acc_name, headName: c.acc_head_name, headTitle: c.acc_head_title } : null,
      };
      const channels: Array<'email' | 'sms'> = [];
      if (!c.opted_out) {
        if (c.head_email) {
          const mail = reminderEmail(unit, items, day, this.config.DASHBOARD_PUBLIC_URL);
          messages.push({ kind: 'reminder', day, recipient: c.code, channel: 'email', address: c.head_email, lang: 'vi', ...mail });
          channels.push('email');
        }
        if (c.head_phone && this.sms.configured) {
          messages.push({
            kind: 'reminder',
            day,
            recipient: c.code,
            channel: 'sms',
            address: c.head_phone,
            lang: 'vi',
            body: reminderSms(unit, items),
          });
          channels.push('sms');
        }
      }
      plans.push({
        unitCode: c.code,
        unitName: c.name,
        items: items.map((i) => ({
          targetId: i.target.targetId,
          reason: i.reason,
          daysLeft: i.daysLeft,
          value: i.status.value,
          gap: i.status.gap,
        })),
        channels,
        skipped: c.opted_out ? 'opted_out' : channels.length ? null : 'no_contact',
      });
    }
    return { plans, messages };
  }

  /** Enqueues the day's reminders (idempotent: a unit already reminded that day on a channel is not again). */
  async enqueue(day: string): Promise<{ plans: ReminderPlan[]; added: number }> {
    const { plans, messages } = await this.plan(day);
    return { plans, added: await this.deliveries.enqueue(messages) };
  }
}
