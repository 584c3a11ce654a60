import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Length, Matches, Max, Min, MinLength } from 'class-validator';
import { ServiceConfig, toBool, toInt } from '@app/platform';

/** The notifier's environment (README.md, The notifier): where reports come from, the SMTP server, the SMS gateway, the pace of work. */
export class NotifierConfig extends ServiceConfig {
  /** The compliance service, whose daily report (PDF and HTML) the notifier sends. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  COMPLIANCE_URL = 'http://127.0.0.1:3000';

  /**
   * Where heads' browsers reach the dashboard (compliance's public address, behind a proxy where there is one): each
   * reminder e-mail links to the unit's page there. Unset: no link (the launcher sets it from the compliance port).
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  DASHBOARD_PUBLIC_URL?: string;

  /** A key compliance accepts for the daily report (analyst or admin); default: ADMIN_API_KEY. */
  @IsOptional() @IsString() @MinLength(24) COMPLIANCE_API_KEY?: string;

  @IsString() @Length(1, 255) SMTP_HOST = '127.0.0.1';
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) SMTP_PORT = 587;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  @Transform(toBool) @IsBoolean() SMTP_SECURE = false;
  /** Refuse to send unless STARTTLS succeeds. */
  @Transform(toBool) @IsBoolean() SMTP_REQUIRE_TLS = false;
  /** Verify the server's certificate (turn off only for a test server with a self-signed one). */
  @Transform(toBool) @IsBoolean() SMTP_TLS_REJECT_UNAUTHORIZED = true;
  @IsOptional() @IsString() SMTP_USER?: string;
  @IsOptional() @IsString() SMTP_PASSWORD?: string;
  @IsString() @Length(3, 300) SMTP_FROM = 'Sở Thông tin và Truyền thông Trà Vinh <baocao@stttt.travinh.gov.vn>';
  /** Seconds an SMTP conversation may stall before it is abandoned (and retried). */
  @Transform(toInt) @IsInt() @Min(1) @Max(600) SMTP_TIMEOUT_SECONDS = 60;

  /** The SMS gateway's HTTP endpoint; unset: no SMS channel, reminders go by e-mail only. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) SMS_GATEWAY_URL?: string;
  /** JSON body posted to the gateway; `{{phone}}` and `{{text}}` are replaced (JSON-escaped). */
  @IsString() SMS_GATEWAY_TEMPLATE = '{"to":"{{phone}}","message":"{{text}}"}';
  /** Extra header for the gateway, e.g. `Authorization: Bearer …`. */
  @IsOptional() @Matches(/^[A-Za-z0-9-]+: .+$/) SMS_GATEWAY_HEADER?: string;
  /** Strip Vietnamese diacritics from SMS text (most gateways bill Unicode messages as several). */
  @Transform(toBool) @IsBoolean() SMS_ASCII = true;

  /** How often each replica looks for the day's scheduled work (report time, reminders). */
  @Transform(toInt) @IsInt() @Min(50) @Max(3_600_000) NOTIFIER_SCHEDULE_POLL_MS = 15_000;
  /** How often each replica looks for deliveries due. */
  @Transform(toInt) @IsInt() @Min(20) @Max(600_000) NOTIFIER_DELIVERY_POLL_MS = 1_000;
  /** Delays before each retry after a failed attempt, comma-separated milliseconds; the last repeats. */
  @Matches(/^\d+(,\d+)*$/) NOTIFIER_RETRY_BACKOFF_MS = '30000,120000,600000,1800000';
  /** Attempts before a delivery is given up (status failed); it stays visible through the API. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100) NOTIFIER_MAX_ATTEMPTS = 12;
}
