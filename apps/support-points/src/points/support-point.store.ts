import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PointPeriod } from './domain/point-periods';
import type { PointDetails } from './domain/point-upsert';
import { adminSubtreeSql, anySubtreeSql } from '../units/replica-units.service';

export interface StoredPoint extends PointDetails {
  id: string;
  revision: number;
  periods: PointPeriod[];
}

/** The public shape of a point. */
export interface PointView {
  id: string;
  operator: string;
  communeCode: string;
  address: string;
  hours: string | null;
  openedOn: string;
  status: 'open' | 'closed';
  periods: PointPeriod[];
  revision: number;
  updatedAt: string;
}

export interface SessionView {
  date: string;
  revision: number;
  assisted: number;
  installed: number;
  bluetoothEnabled: number;
  recordedAt: string;
}

export interface PointFilter {
  commune?: string;
  district?: string;
  operator?: string;
  openOn?: string;
  /** Only points in communes under this unit (either tree): a portal key's view. */
  withinUnit?: string;
  limit: number;
  offset: number;
}

interface PointRow {
  id: string;
  operator_code: string;
  commune_code: string;
  address: string;
  hours: string | null;
  revision: number;
  updated_at: Date;
  periods: PointPeriod[];
}

const POINT_COLUMNS = `
  p.id, p.operator_code, p.commune_code, p.address, p.hours, p.revision, p.updated_at,
  COALESCE((SELECT json_agg(json_build_object('openedOn', pp.opened_on::text, 'closedOn', pp.closed_on::text) ORDER BY pp.opened_on)
            FROM support_point_periods pp WHERE pp.point_id = p.id), '[]'::json) AS periods`;

/** Whether the point was open on a date, in SQL: the same rule as isOpenOn. */
export const OPEN_ON_SQL = (pointAlias: string, dateParam: string) =>
  `EXISTS (SELECT 1 FROM support_point_periods op WHERE op.point_id = ${pointAlias}.id
           AND op.opened_on <= ${dateParam}::date AND (op.closed_on IS NULL OR op.closed_on > ${dateParam}::date))`;

function toStored(r: PointRow): StoredPoint {
  return {
    id: r.id,
    operatorCode: r.operator_code,
    communeCode: r.commune_code,
    address: r.address,
    hours: r.hours,
    revision: r.revision,
    periods: r.periods,
  };
}

export function toView(p: StoredPoint & { updatedAt?: Date }): PointView {
  const last = p.periods[p.periods.length - 1];
  return {
    id: p.id,
    operator: p.operatorCode,
    communeCode: p.communeCode,
    address: p.address,
    hours: p.hours,
    openedOn: p.periods[0]?.openedOn ?? '',
    status: last && last.closedOn === null ? 'open' : 'closed',
    periods: p.periods,
    revision: p.revision,
    updatedAt: (p.updatedAt ?? new Date()).toISOString(),
  };
}

/** SQL for support points and their periods; every write goes through the caller's transaction. */
@Injectable()
export class SupportPointStore {
  /**
   * Serialises every change to one point (create, update, close, reopen, sessions) for the rest of the
   * transaction, including its creation, which a row lock cannot cover since the row does not exist yet.
   */
  async lockPoint(m: EntityManager, id: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('support_point'), hashtext($1))`, [id]);
  }

  async find(m: EntityManager, id: string): Promise<(StoredPoint & { updatedAt: Date }) | null> {
    const rows: PointRow[] = await m.query(`SELECT ${POINT_COLUMNS} FROM support_points p WHERE p.id = $1`, [id]);
    return rows[0] ? { ...toStored(rows[0]), updatedAt: rows[0].updated_at } : null;
  }

  async sessionDateBounds(m: EntityManager, id: string): Promise<{ earliest: string | null; latest: string | null }> {
    const rows: Array<{ earliest: string | null; latest: string | null }> = await m.query(
      `SELECT min(date)::text AS earliest, max(date)::text AS latest FROM support_sessions WHERE point_id = $1`,
      [id],
    );
    return rows[0] ?? { earliest: null, latest: null };
  }

  async insert(m: EntityManager, p: StoredPoint): Promise<void> {
    await m.query(`INSERT INTO support_points (id, operator_code, commune_code, address, hours, revision) VALUES ($1,$2,$3,$4,$5,$6)`, [
      p.id,
      p.operatorCode,
      p.communeCode,
      p.address,
      p.hours,
      p.revision,
    ]);
    await this.replacePeriods(m, p.id, p.periods);
  }

  async update(m: EntityManager, p: StoredPoint): Promise<void> {
    await m.query(
      `UPDATE support_points SET operator_code = $2, commune_code = $3, address = $4, hours = $5, revision = $6, updated_at = now() WHERE id = $1`,
      [p.id, p.operatorCode, p.communeCode, p.address, p.hours, p.revision],
    );
    await this.replacePeriods(m, p.id, p.periods);
  }

  /** The history is small (a handful of periods), so it is rewritten whole: simpler than diffing. */
  private async replacePeriods(m: EntityManager, id: string, periods: readonly PointPeriod[]): Promise<void> {
    await m.query(`DELETE FROM support_point_periods WHERE point_id = $1`, [id]);
    if (periods.length === 0) return;
    await m.query(
      `INSERT INTO support_point_periods (point_id, opened_on, closed_on)
       SELECT $1, o::date, c::date FROM unnest($2::text[], $3::text[]) AS t(o, c)`,
      [id, periods.map((p) => p.openedOn), periods.map((p) => p.closedOn)],
    );
  }

  async list(m: EntityManager, f: PointFilter): Promise<{ items: PointView[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.district !== undefined) where.push(`p.commune_code IN (${adminSubtreeSql(param(f.district))})`);
    if (f.withinUnit !== undefined) where.push(`p.commune_code IN (${anySubtreeSql(param(f.withinUnit))})`);
    if (f.commune !== undefined) where.push(`p.commune_code = ${param(f.commune)}`);
    if (f.operator !== undefined) where.push(`p.operator_code = ${param(f.operator)}`);
    if (f.openOn !== undefined) where.push(OPEN_ON_SQL('p', param(f.openOn)));
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = param(f.limit);
    const offset = param(f.offset);
    const rows: Array<PointRow & { total: number }> = await m.query(
      `SELECT ${POINT_COLUMNS}, count(*) OVER ()::int AS total FROM support_points p ${whereSql}
       ORDER BY p.commune_code, p.id LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    let total = rows[0]?.total ?? 0;
    if (rows.length === 0 && f.offset > 0) {
      // Past the last page the window count is unavailable; count separately so `total` stays truthful.
      const c: Array<{ n: number }> = await m.query(`SELECT count(*)::int AS n FROM support_points p ${whereSql}`, params.slice(0, -2));
      total = c[0]?.n ?? 0;
    }
    return { items: rows.map((r) => toView({ ...toStored(r), updatedAt: r.updated_at })), total };
  }

  /** Latest revision of each day's session, by date. */
  async latestSessions(m: EntityManager, id: string): Promise<SessionView[]> {
    return m.query(
      `SELECT DISTINCT ON (date) date::text AS date, revision, assisted, installed, bluetooth_enabled AS "bluetoothEnabled", recorded_at AS "recordedAt"
       FROM support_sessions WHERE point_id = $1 ORDER BY date, revision DESC`,
      [id],
    );
  }
}
