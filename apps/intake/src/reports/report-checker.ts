import { HttpStatus, type HttpException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { dateWindowErrors, type DateWindow } from '@app/domain';
import { ProblemException, type CampaignCalendar, type Principal, type ScopeService } from '@app/platform';
import { validatePlain, type FieldError } from '../common/field-errors';
import type { UnitDirectory } from '../common/unit-directory.service';
import { CreateReportDto } from './dto/create-report.dto';
import { cohortErrors, isPlainValidReport } from './report.rules';
import type { CheckedReport } from './report.store';

/** What the checker says of one report: its unit's type when it may be written, else why not. */
export type ReportVerdict =
  { readonly ok: true; readonly unitType: string } | { readonly ok: false; readonly refusal: HttpException; readonly errors: FieldError[] };

/**
 * Every rule a report must pass, in one place, for every way a report arrives (one report, with or
 * without an Idempotency-Key; a batch item; a CSV line; the group writer):
 * - its shape (`shapeOf`): the fields of CreateReportDto, with the counts' order
 *   (bluetoothOn ≤ installed ≤ smartphoneHolders ≤ headcount, REPORT_COUNT_RULES in report.rules.ts);
 * - its unit (`check`): known (404), active (422) and within the key's scope (403, the platform's ScopeService);
 * - its cohort: one the unit's type reports (`cohortErrors`, report.rules.ts);
 * - its date: between the campaign start and today on the campaign calendar (`dateWindowErrors`).
 * One checker serves one write: it holds the scope and the date window read once for all its reports.
 * A single report's refusal is thrown as it is (404 / 422 / 403 problem+json); a batch item's is its
 * field errors.
 */
export class ReportChecker {
  private constructor(
    private readonly scope: ScopeService,
    private readonly window: DateWindow,
  ) {}

  /** A checker for a write about the units `codes` (on the transaction's connection when `manager` is given). */
  static async open(
    units: UnitDirectory,
    calendar: CampaignCalendar,
    codes: readonly string[],
    manager?: EntityManager,
  ): Promise<ReportChecker> {
    const { scope, campaignStart } = await units.forWrite(codes, manager);
    return new ReportChecker(scope, calendar.windowFrom(campaignStart));
  }

  /**
   * A plain item (batch element, CSV line, request body) as a report, or its field errors. Items that pass
   * the hand-written `isPlainValidReport` skip class-validator (its cost dominates a batch); the others get
   * CreateReportDto's exact errors.
   */
  static shapeOf(item: unknown): { ok: true; report: CheckedReport } | { ok: false; errors: FieldError[] } {
    // Its own fields only, checked: the item serves as the report, not a copy of it.
    if (isPlainValidReport(item)) return { ok: true, report: item };
    const v = validatePlain(CreateReportDto, item);
    return v.ok ? { ok: true, report: reportOf(v.value) } : { ok: false, errors: v.errors };
  }

  async check(principal: Principal, report: CheckedReport): Promise<ReportVerdict> {
    let unitType: string;
    try {
      unitType = (await this.scope.assertCanWrite(principal, report.orgUnitCode)).type;
    } catch (err) {
      const errors = fieldErrorsOf(err, 'orgUnitCode');
      if (!errors) throw err;
      return { ok: false, refusal: err as HttpException, errors };
    }
    const errors = [...cohortErrors(unitType, report.cohort), ...dateWindowErrors('asOf', report.asOf, this.window)];
    if (errors.length === 0) return { ok: true, unitType };
    return {
      ok: false,
      refusal: new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, errors.map((e) => e.message).join('; '), errors),
      errors,
    };
  }

  /** A single report: throws its refusal. */
  async assert(principal: Principal, report: CheckedReport): Promise<void> {
    const verdict = await this.check(principal, report);
    if (!verdict.ok) throw verdict.refusal;
  }
}

/** The report's own fields only (a DTO instance or a checked plain object). */
export function reportOf(r: CheckedReport): CheckedReport {
  return {
    orgUnitCode: r.orgUnitCode,
    cohort: r.cohort,
    asOf: r.asOf,
    headcount: r.headcount,
    smartphoneHolders: r.smartphoneHolders,
    installed: r.installed,
    bluetoothOn: r.bluetoothOn,
  };
}

/** Rejections a scope check throws (404 unknown unit, 422 retired, 403 out of scope) as field errors of a batch item. */
function fieldErrorsOf(err: unknown, field: string): Array<{ field: string; message: string }> | null {
  const e = err as { getStatus?: () => number; getResponse?: () => unknown };
  if (typeof e?.getStatus !== 'function' || typeof e.getResponse !== 'function') return null;
  const body = e.getResponse() as { detail?: string; errors?: Array<{ field: string; message: string }> } | string;
  if (typeof body === 'string') return [{ field, message: body }];
  if (body.errors?.length) return body.errors;
  return [{ field, message: `${field}: ${body.detail ?? 'refused'}` }];
}
