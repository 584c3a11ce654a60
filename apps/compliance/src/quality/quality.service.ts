import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { QualityFollowUpChangedV1, type Cohort, type FollowUpStatus, type QualityRule, type QualitySeverity } from '@app/contracts';
import {
  FOLLOW_UP_STATUS_LABELS,
  QUALITY_RULE_LABELS,
  QUALITY_SEVERITY_LABELS,
  qualityMessage,
  UNIT_TYPE_LABELS,
  type Lang,
} from '@app/domain';
import { BOTH_TREES, subtreeSql } from '@app/persistence';
import { EventOutbox, ScopeService, type Principal } from '@app/platform';
import type { FollowUpQueryDto } from './dto/follow-up.dto';

/** One follow-up as the API, the dashboard and the daily report show it. */
export interface FollowUp {
  id: string;
  rule: QualityRule;
  ruleName: string;
  severity: QualitySeverity;
  severityName: string;
  status: FollowUpStatus;
  statusName: string;
  orgUnitCode: string;
  unitName: string | null;
  unitType: string | null;
  unitTypeName: string | null;
  cohort: Cohort;
  asOf: string;
  value: number;
  limit: number;
  reported: number | null;
  expected: number | null;
  measure: 'installed' | 'bluetoothOn' | null;
  message: string;
  reportId: string | null;
  raisedAt: string;
  updatedAt: string;
  updatedBy: string | null;
  comments: number;
}

export interface FollowUpComment {
  id: number;
  at: string;
  role: string;
  keyUnit: string | null;
  body: string;
}

interface Row extends Omit<FollowUp, 'ruleName' | 'severityName' | 'statusName' | 'unitTypeName' | 'message' | 'raisedAt' | 'updatedAt'> {
  raisedAt: Date;
  updatedAt: Date;
}

const SEVERITY_ORDER = `CASE v.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END`;

/** A follow-up row in the reader's language. */
export function presentFollowUp(r: Row, lang: Lang): FollowUp {
  return {
    ...r,
    ruleName: QUALITY_RULE_LABELS[lang][r.rule],
    severityName: QUALITY_SEVERITY_LABELS[lang][r.severity],
    statusName: FOLLOW_UP_STATUS_LABELS[lang][r.status],
    unitTypeName: r.unitType ? (UNIT_TYPE_LABELS[lang][r.unitType as keyof (typeof UNIT_TYPE_LABELS)['vi']] ?? r.unitType) : null,
    message: qualityMessage(
      r.rule,
      { value: r.value, limit: r.limit, reported: r.reported, expected: r.expected, measure: r.measure ?? undefined },
      lang,
    ),
    raisedAt: new Date(r.raisedAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}

/**
 * The follow-up list of data-quality violations, per scope: admin and analyst keys see every unit; any
 * other key the units the ScopeService lets it read (its own subtree). The DIC (admin) and the reporting
 * unit's keys (ScopeService.mayWrite) mark, comment and resolve; each change is published.
 */
@Injectable()
export class QualityService {
  constructor(
    private readonly ds: DataSource,
    private readonly scope: ScopeService,
    private readonly outbox: EventOutbox,
  ) {}

  private select(where: string): string {
    return `SELECT v.id, v.rule, v.severity, v.status, v.unit_code AS "orgUnitCode", u.name AS "unitName", u.type AS "unitType",
        v.cohort, v.as_of::text AS "asOf", v.value, v."limit", v.reported, v.expected, v.measure, v.report_id AS "reportId",
        v.raised_at AS "raisedAt", v.updated_at AS "updatedAt", v.updated_by AS "updatedBy", v.comments
      FROM quality_violations v LEFT JOIN replica_org_units u ON u.code = v.unit_code
      WHERE ${where}
      ORDER BY ${SEVERITY_ORDER}, v.as_of DESC, v.unit_code, v.rule`;
  }

  /** The follow-ups a key may see, filtered; `total` counts them all, `bySeverity` and `byRule` too. */
  async list(
    principal: Principal,
    q: FollowUpQueryDto,
    lang: Lang,
  ): Promise<{ total: number; bySeverity: Record<string, number>; byRule: Record<string, number>; items: FollowUp[] }> {
    if (q.unit) await this.scope.assertCanRead(principal, q.unit);
    const rows = await this.rows(q);
    const visible = await this.visibleTo(principal, rows);
    const { limit = 50, offset = 0 } = q;
    const tally = (key: 'severity' | 'rule') =>
      visible.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r[key]]: (acc[r[key]] ?? 0) + 1 }), {});
    return {
      total: visible.length,
      bySeverity: tally('severity'),
      byRule: tally('rule'),
      items: visible.slice(offset, offset + limit).map((r) => presentFollowUp(r, lang)),
    };
  }

  /** The rows matching a filter, before scope. */
  async rows(q: Omit<FollowUpQueryDto, 'lang' | 'limit' | 'offset'>, m: EntityManager = this.ds.manager): Promise<Row[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const status = q.status ?? 'active';
    if (status === 'active') where.push(`v.status IN ('open', 'marked')`);
    else if (status !== 'all') add('v.status = ?', status);
    if (q.severity) add('v.severity = ?', q.severity);
    if (q.rule) add('v.rule = ?', q.rule);
    if (q.cohort) add('v.cohort = ?', q.cohort);
    if (q.from) add('v.as_of >= ?', q.from);
    if (q.to) add('v.as_of <= ?', q.to);
    if (q.unit) {
      params.push(q.unit);
      where.push(
        `v.unit_code IN (${subtreeSql(`SELECT $${params.length}::text`, { table: 'replica_org_units', parentColumns: BOTH_TREES })})`,
      );
    }
    return m.query(this.select(where.length ? where.join(' AND ') : 'true'), params);
  }

  private async visibleTo<T extends { orgUnitCode: string }>(principal: Principal, rows: T[]): Promise<T[]> {
    if (principal.role === 'admin' || principal.role === 'analyst') return rows;
    const may = new Map<string, boolean>();
    for (const code of new Set(rows.map((r) => r.orgUnitCode))) may.set(code, await this.scope.mayRead(principal, code));
    return rows.filter((r) => may.get(r.orgUnitCode));
  }

  private async one(id: string, m: EntityManager): Promise<Row> {
    const rows: Row[] = /^[0-9a-f-]{36}$/i.test(id) ? await m.query(this.select('v.id = $1'), [id]) : [];
    if (!rows.length) throw new NotFoundException({ detail: `no follow-up ${id}` });
    return rows[0];
  }

  async get(principal: Principal, id: string, lang: Lang): Promise<FollowUp & { history: FollowUpComment[] }> {
    const row = await this.one(id, this.ds.manager);
    if (!(await this.scope.mayRead(principal, row.orgUnitCode))) throw new NotFoundException({ detail: `no follow-up ${id}` });
    const history: FollowUpComment[] = await this.ds.query(
      `SELECT id::int AS id, at, role, key_unit AS "keyUnit", body FROM quality_comments WHERE violation_id = $1 ORDER BY id`,
      [id],
    );
    return { ...presentFollowUp(row, lang), history: history.map((c) => ({ ...c, at: new Date(c.at).toISOString() })) };
  }

  private async assertMayAct(principal: Principal, row: Row): Promise<void> {
    if (!(await this.scope.mayRead(principal, row.orgUnitCode))) throw new NotFoundException({ detail: `no follow-up ${row.id}` });
    if (!(await this.scope.mayWrite(principal, row.orgUnitCode)))
      throw new ForbiddenException({
        detail: `this key (${principal.role}) may read but not act on follow-ups of unit ${row.orgUnitCode}`,
      });
  }

  /** Marks, resolves or reopens a follow-up (with an optional comment); published as QualityFollowUpChangedV1. */
  async setStatus(principal: Principal, id: string, status: 'open' | 'marked' | 'resolved', comment: string | undefined, lang: Lang) {
    await this.ds.transaction(async (m) => {
      const row = await this.one(id, m);
      await this.assertMayAct(principal, row);
      if (row.status === 'cleared')
        throw new ForbiddenException({
          detail: `follow-up ${id} was cleared by a later revision of the report; there is nothing to follow up`,
        });
      if (comment) await this.addComment(m, principal, id, comment);
      await m.query(`UPDATE quality_violations SET status = $2, updated_at = now(), updated_by = $3 WHERE id = $1`, [
        id,
        status,
        `${principal.role}:${principal.keyId}`,
      ]);
      await this.publishChange(m, id);
    });
    return this.get(principal, id, lang);
  }

  async comment(principal: Principal, id: string, body: string, lang: Lang) {
    await this.ds.transaction(async (m) => {
      const row = await this.one(id, m);
      await this.assertMayAct(principal, row);
      await this.addComment(m, principal, id, body);
      await m.query(`UPDATE quality_violations SET updated_at = now(), updated_by = $2 WHERE id = $1`, [
        id,
        `${principal.role}:${principal.keyId}`,
      ]);
      await this.publishChange(m, id);
    });
    return this.get(principal, id, lang);
  }

  private async addComment(m: EntityManager, p: Principal, id: string, body: string): Promise<void> {
    await m.query(`INSERT INTO quality_comments (violation_id, key_id, role, key_unit, body) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      p.keyId,
      p.role,
      p.orgUnitCode,
      body,
    ]);
    await m.query(`UPDATE quality_violations SET comments = comments + 1 WHERE id = $1`, [id]);
  }

  private async publishChange(m: EntityManager, id: string): Promise<void> {
    const [v]: Array<{ rule: QualityRule; unit: string; status: FollowUpStatus; comments: number }> = await m.query(
      `SELECT rule, unit_code AS unit, status, comments FROM quality_violations WHERE id = $1`,
      [id],
    );
    await this.outbox.record(m, QualityFollowUpChangedV1, v.unit, {
      violationId: id,
      rule: v.rule,
      orgUnitCode: v.unit,
      status: v.status,
      comments: v.comments,
      changedAt: new Date().toISOString(),
    });
  }
}
