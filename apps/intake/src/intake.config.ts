import { IsString, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { isCalendarDate } from '@app/contracts';
import { ServiceConfig } from '@app/platform';

@ValidatorConstraint({ name: 'timeZone' })
class IsTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    try {
      new Intl.DateTimeFormat('en-CA', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return 'CAMPAIGN_TIME_ZONE must be an IANA time zone such as Asia/Ho_Chi_Minh';
  }
}

@ValidatorConstraint({ name: 'calendarDate' })
class IsConfigDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isCalendarDate(value);
  }
  defaultMessage(): string {
    return 'CAMPAIGN_START must be a real date written YYYY-MM-DD';
  }
}

/** The intake service's environment (see README.md, Configuration). */
export class IntakeConfig extends ServiceConfig {
  /**
   * Reports and activities dated before the campaign start are refused. When the registry has published
   * targets with a `campaignStart`, the earliest of those wins; this is the fallback until it has.
   */
  @IsString()
  @Validate(IsConfigDate)
  CAMPAIGN_START = '2020-01-01';

  /** "Not in the future" is judged by the calendar of the province (UTC+7), not of the server. */
  @IsString()
  @Validate(IsTimeZone)
  CAMPAIGN_TIME_ZONE = 'Asia/Ho_Chi_Minh';
}
