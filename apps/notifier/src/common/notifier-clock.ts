import { Injectable } from '@nestjs/common';
import { campaignToday } from '@app/domain';
import { NotifierConfig } from '../notifier.config';

/**
 * The notifier's clock: the real time, shifted when a test sets it (the schedule is then judged at that
 * moment, and time goes on from there). Everything that decides "which day" or "is it time" reads it.
 */
@Injectable()
export class NotifierClock {
  private offsetMs = 0;

  constructor(private readonly config: NotifierConfig) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** For tests: from now on, the clock reads `at` and moves forward from it. */
  set(at: Date): void {
    this.offsetMs = at.getTime() - Date.now();
  }

  /** The province's calendar day (Asia/Ho_Chi_Minh unless CAMPAIGN_TIME_ZONE says otherwise). */
  today(): string {
    return campaignToday(this.config.CAMPAIGN_TIME_ZONE, this.now());
  }

  /** The province's wall-clock time, HH:MM. */
  timeOfDay(): string {
    return wallClock(this.config.CAMPAIGN_TIME_ZONE, this.now());
  }
}

export function wallClock(timeZone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('hour')}:${get('minute')}`;
}
