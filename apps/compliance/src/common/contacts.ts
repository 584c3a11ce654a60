import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FastifyRequest } from 'fastify';
import { langOf, presentContacts, revealsContacts, type Lang } from '@app/domain';
import { CampaignCalendar, type Principal } from '@app/platform';
import type { UnitRow } from './read-model.service';

/** A unit's head as compliance shows them: contacts by the rule of libs/domain contacts.ts (docs/data-protection.md). */
export interface Head {
  name: string;
  title: string | null;
  /** National form (0912 345 678), or masked (0912 *** *78). */
  phone: string | null;
  /** In full, or masked (n***@travinh.gov.vn). */
  email: string | null;
  /** Whether phone and e-mail are masked for this key. */
  contactsMasked: boolean;
}

/**
 * Who is reading, where, and in which language: what every read path that names heads needs. `principal`
 * null is the service itself (contacts masked, nothing recorded); `route` is what the access record names.
 */
export interface Viewer {
  readonly principal: Principal | null;
  readonly route: string;
  readonly lang: Lang;
}

export { revealsContacts } from '@app/domain';

export function headOf(u: UnitRow, reveal = false): Head | null {
  if (!u.headName) return null;
  return { name: u.headName, title: u.headTitle, ...presentContacts(u.headPhone, u.headEmail, reveal) };
}

export interface ContactAccessRow {
  id: string;
  at: string;
  keyId: string;
  role: string;
  keyUnit: string | null;
  route: string;
  units: number;
  unitCodes: string[];
}

/** The record of who read heads' contacts in full: who, when, on which route, about how many units (and which). */
@Injectable()
export class ContactAccessService {
  constructor(
    private readonly ds: DataSource,
    private readonly calendar: CampaignCalendar,
  ) {}

  /**
   * Records a read that showed `units`' contacts in full to `p` (nothing for a key that reads them masked,
   * nor when none of the units has a contact). Call it before the answer leaves: a read not recorded is not answered.
   */
  async record(viewer: Viewer, units: Iterable<Pick<UnitRow, 'code' | 'headPhone' | 'headEmail'> | undefined>): Promise<void> {
    const p = viewer.principal;
    if (!p || !revealsContacts(p)) return;
    const codes = [...new Set([...units].filter((u) => u && (u.headPhone || u.headEmail)).map((u) => u!.code))].sort();
    if (codes.length === 0) return;
    await this.ds.query(`INSERT INTO contact_access (key_id, role, key_unit, route, units, unit_codes) VALUES ($1, $2, $3, $4, $5, $6)`, [
      p.keyId,
      p.role,
      p.orgUnitCode,
      viewer.route.slice(0, 2000),
      codes.length,
      codes,
    ]);
  }

  /** The record, newest first, optionally of one key and from a day on; times on the province's clock. */
  async list(q: { keyId?: string; from?: string; limit: number; offset: number }): Promise<{ total: number; items: ContactAccessRow[] }> {
    const params = [q.keyId ?? null, q.from ?? null];
    const where = `($1::text IS NULL OR key_id = $1) AND ($2::date IS NULL OR at >= $2::date)`;
    const [{ total }] = (await this.ds.query(`SELECT count(*)::int AS total FROM contact_access WHERE ${where}`, params)) as Array<{
      total: number;
    }>;
    const items: ContactAccessRow[] = await this.ds.query(
      `SELECT id::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, key_id AS "keyId", role, key_unit AS "keyUnit",
              route, units, unit_codes AS "unitCodes"
       FROM contact_access WHERE ${where} ORDER BY contact_access.at DESC, contact_access.id DESC LIMIT $3 OFFSET $4`,
      [...params, q.limit, q.offset],
    );
    return { total, items: items.map((r) => ({ ...r, at: this.calendar.dateTime(r.at) })) };
  }
}

/** The viewer of an HTTP request: its key, its method and URL (what the access record names), its language (?lang=, else Accept-Language). */
export function viewerOf(req: Pick<FastifyRequest, 'method' | 'url' | 'headers'>, principal: Principal | null, lang?: Lang): Viewer {
  return { principal, route: `${req.method} ${req.url}`, lang: lang ?? langOf(req.headers['accept-language']) };
}
