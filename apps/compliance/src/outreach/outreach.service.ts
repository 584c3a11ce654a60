import { Injectable } from '@nestjs/common';
import type { ActivityKind } from '@app/contracts';
import { ProblemException, type Principal } from '@app/platform';
import { groupBy, ratio } from '@app/domain';
import { sortRows } from '../common/listing';
import { ReadModelService, subtreeCodes, type Generation, type UnitRow } from '../common/read-model.service';
import type { ActivityComplianceQueryDto, SupportCoverageQueryDto, TransportQueryDto } from './dto/outreach-query.dto';

export interface CoverageRow {
  code: string;
  name: string;
  communes: number | null;
  communesWithPoint: number;
  coverage: number | null;
  communesWithoutPoint: string[];
  points: number;
  assistedOnDate: number;
  installedOnDate: number;
  bluetoothEnabledOnDate: number;
  assistedToDate: number;
  installedToDate: number;
}

export interface ActivityRow {
  orgUnitCode: string;
  name: string;
  type: string;
  districtCode: string | null;
  districtName: string | null;
  broadcastSessions: number | null;
  broadcastWithStart: number | null;
  broadcastWithEnd: number | null;
  /** true when every broadcast that day carried both announcements; null when the unit aired none. */
  broadcastCompliant: boolean | null;
  supportLocationsAnnounced: boolean | null;
  householdsVisited: number | null;
  householdsReminded: number | null;
  propagandaTeams: number | null;
  propagandaMembers: number | null;
  venuesMobilised: number | null;
  customersGuided: number | null;
  hqVisitors: number | null;
  hqAlreadyInstalled: number | null;
  hqInstalledOnSite: number | null;
  hqTurnedAway: number | null;
  familyInstallsHelped: number | null;
}

export interface TransportRow {
  hubCode: string;
  name: string;
  accountableToCode: string | null;
  accountableToName: string | null;
  headName: string | null;
  reported: boolean;
  passengersChecked: number | null;
  alreadyInstalled: number | null;
  installedOnSite: number | null;
  refused: number | null;
  /** (already installed + installed on site) / passengers checked. */
  installedShare: number | null;
  passengersToDate: number;
  installedOnSiteToDate: number;
}

interface PointRow {
  pointId: string;
  operatorCode: string;
  communeCode: string;
  assistedOnDate: number;
  installedOnDate: number;
  bluetoothOnDate: number;
  assistedToDate: number;
  installedToDate: number;
}

async function loadUnits(g: Generation): Promise<Map<string, UnitRow>> {
  const rows: UnitRow[] = await g.m.query(
    `SELECT code, name, type, bloc, admin_parent_code AS "adminParentCode", accountable_to_code AS "accountableToCode",
            head_name AS "headName", head_title AS "headTitle", level, active FROM "${g.schema}".units WHERE type IS NOT NULL ORDER BY code`,
  );
  return new Map(rows.map((u) => [u.code, u]));
}

/** The district a unit lies in on the administrative tree (itself for a district). */
function districtOf(units: Map<string, UnitRow>, code: string): UnitRow | null {
  let u = units.get(code);
  for (let i = 0; u && i < 12; i++) {
    if (u.type === 'district') return u;
    u = u.adminParentCode ? units.get(u.adminParentCode) : undefined;
  }
  return null;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

@Injectable()
export class OutreachService {
  constructor(private readonly readModel: ReadModelService) {}

  private visible(units: Map<string, UnitRow>, p: Principal): Set<string> | null {
    if (p.role === 'admin' || p.role === 'analyst') return null;
    return p.orgUnitCode ? subtreeCodes(units, p.orgUnitCode) : new Set();
  }

  private requireUnit(units: Map<string, UnitRow>, code: string | undefined, field: string): void {
    if (code && !units.has(code))
      throw new ProblemException(404, `unknown org unit ${code}`, [{ field, message: `${field} ${code} is not a known unit` }]);
  }

  /** Communes with at least one support point open that day, by district or by operator, with the people helped. */
  async supportCoverage(q: SupportCoverageQueryDto, date: string) {
    return this.readModel.read(async (g) => {
      const units = await loadUnits(g);
      this.requireUnit(units, q.district, 'district');
      this.requireUnit(units, q.operator, 'operator');
      const points: PointRow[] = await g.m.query(
        `SELECT p.point_id AS "pointId", p.operator_code AS "operatorCode", p.commune_code AS "communeCode",
                COALESCE(SUM(s.assisted) FILTER (WHERE s.date = $1), 0)::int AS "assistedOnDate",
                COALESCE(SUM(s.installed) FILTER (WHERE s.date = $1), 0)::int AS "installedOnDate",
                COALESCE(SUM(s.bluetooth_enabled) FILTER (WHERE s.date = $1), 0)::int AS "bluetoothOnDate",
                COALESCE(SUM(s.assisted), 0)::int AS "assistedToDate",
                COALESCE(SUM(s.installed), 0)::int AS "installedToDate"
         FROM "${g.schema}".support_points p
         LEFT JOIN "${g.schema}".support_sessions s ON s.point_id = p.point_id AND s.date <= $1
         WHERE p.opened_on IS NOT NULL AND p.opened_on <= $1
           AND NOT (p.close_revision > p.open_revision AND p.closed_on <= $1)
           AND ($2::text IS NULL OR p.operator_code = $2)
         GROUP BY p.point_id ORDER BY p.point_id`,
        [date, q.operator ?? null],
      );
      const communes = [...units.values()].filter((u) => u.type === 'commune' && u.active);
      const inDistrict = (code: string) => !q.district || districtOf(units, code)?.code === q.district;
      const shown = points.filter((p) => inDistrict(p.communeCode));
      const covered = new Set(shown.map((p) => p.communeCode));
      const row = (code: string, name: string, ps: PointRow[], communeCodes: string[] | null): CoverageRow => {
        const withPoint = new Set(ps.map((p) => p.communeCode));
        const withCount = communeCodes ? communeCodes.filter((c) => withPoint.has(c)).length : withPoint.size;
        return {
          code,
          name,
          communes: communeCodes ? communeCodes.length : null,
          communesWithPoint: withCount,
          coverage: communeCodes ? ratio(withCount, communeCodes.length) : null,
          communesWithoutPoint: communeCodes ? communeCodes.filter((c) => !withPoint.has(c)) : [],
          points: ps.length,
          assistedOnDate: sum(ps.map((p) => p.assistedOnDate)),
          installedOnDate: sum(ps.map((p) => p.installedOnDate)),
          bluetoothEnabledOnDate: sum(ps.map((p) => p.bluetoothOnDate)),
          assistedToDate: sum(ps.map((p) => p.assistedToDate)),
          installedToDate: sum(ps.map((p) => p.installedToDate)),
        };
      };
      let rows: CoverageRow[];
      if ((q.by ?? 'district') === 'district') {
        const districts = [...units.values()].filter((u) => u.type === 'district' && u.active && (!q.district || u.code === q.district));
        rows = districts.map((d) => {
          const cs = communes.filter((c) => districtOf(units, c.code)?.code === d.code).map((c) => c.code);
          const set = new Set(cs);
          return row(
            d.code,
            d.name,
            shown.filter((p) => set.has(p.communeCode)),
            cs,
          );
        });
      } else {
        const operators = [...new Set(shown.map((p) => p.operatorCode))].sort();
        rows = operators.map((op) =>
          row(
            op,
            units.get(op)?.name ?? op,
            shown.filter((p) => p.operatorCode === op),
            null,
          ),
        );
      }
      const scopeCommunes = communes.filter((c) => inDistrict(c.code));
      const sorted = sortRows(
        rows,
        q.sort,
        {
          code: (r) => r.code,
          name: (r) => r.name,
          communes: (r) => r.communes,
          communesWithPoint: (r) => r.communesWithPoint,
          coverage: (r) => r.coverage,
          points: (r) => r.points,
          assistedOnDate: (r) => r.assistedOnDate,
          installedOnDate: (r) => r.installedOnDate,
          installedToDate: (r) => r.installedToDate,
        },
        (r) => r.code,
      );
      const withPoint = scopeCommunes.filter((c) => covered.has(c.code)).length;
      return {
        asOfEvent: g.asOfEvent,
        totals: {
          communes: scopeCommunes.length,
          communesWithPoint: withPoint,
          coverage: ratio(withPoint, scopeCommunes.length),
          points: shown.length,
          assistedOnDate: sum(shown.map((p) => p.assistedOnDate)),
          installedOnDate: sum(shown.map((p) => p.installedOnDate)),
          assistedToDate: sum(shown.map((p) => p.assistedToDate)),
          installedToDate: sum(shown.map((p) => p.installedToDate)),
        },
        rows: sorted,
      };
    });
  }

  /** The day's activity per unit: every commune, and every other unit that recorded something that day. */
  async activityCompliance(q: ActivityComplianceQueryDto, date: string, p: Principal) {
    return this.readModel.read(async (g) => {
      const units = await loadUnits(g);
      this.requireUnit(units, q.district, 'district');
      const acts: Array<{ code: string; kind: ActivityKind; counts: Record<string, number | boolean> }> = await g.m.query(
        `SELECT org_unit_code AS code, kind, counts FROM "${g.schema}".activities WHERE date = $1 ORDER BY org_unit_code, kind, venue_type`,
        [date],
      );
      const byUnit = groupBy(acts, (a) => a.code);
      const visible = this.visible(units, p);
      const codes = new Set<string>([...units.values()].filter((u) => u.type === 'commune' && u.active).map((u) => u.code));
      for (const code of byUnit.keys()) codes.add(code);
      const rows: ActivityRow[] = [];
      for (const code of [...codes].sort()) {
        const u = units.get(code);
        const mine = byUnit.get(code) ?? [];
        const d = districtOf(units, code);
        if (visible && !visible.has(code)) continue;
        if (q.district && d?.code !== q.district) continue;
        if (q.kind && !mine.some((a) => a.kind === q.kind) && !(q.kind === 'broadcast' && u?.type === 'commune')) continue;
        const of = (kind: ActivityKind) => mine.filter((a) => a.kind === kind);
        const total = (kind: ActivityKind, key: string) => (of(kind).length ? sum(of(kind).map((a) => Number(a.counts[key] ?? 0))) : null);
        const broadcasts = of('broadcast');
        const compliant = broadcasts.length
          ? broadcasts.every((b) => {
              const aired = Number(b.counts.sessionsAired ?? 0);
              return (
                aired > 0 &&
                Number(b.counts.sessionsWithStartAnnouncement ?? 0) >= aired &&
                Number(b.counts.sessionsWithEndAnnouncement ?? 0) >= aired
              );
            })
          : null;
        if (q.complies !== undefined && compliant !== q.complies) continue;
        rows.push({
          orgUnitCode: code,
          name: u?.name ?? code,
          type: u?.type ?? 'unknown',
          districtCode: d?.code ?? null,
          districtName: d?.name ?? null,
          broadcastSessions: total('broadcast', 'sessionsAired'),
          broadcastWithStart: total('broadcast', 'sessionsWithStartAnnouncement'),
          broadcastWithEnd: total('broadcast', 'sessionsWithEndAnnouncement'),
          broadcastCompliant: compliant,
          supportLocationsAnnounced: broadcasts.length ? broadcasts.some((b) => b.counts.supportLocationsAnnounced === true) : null,
          householdsVisited: total('door_to_door', 'householdsVisited'),
          householdsReminded: total('door_to_door', 'householdsReminded'),
          propagandaTeams: total('propaganda_team', 'teamsFormed'),
          propagandaMembers: total('propaganda_team', 'members'),
          venuesMobilised: total('venue_outreach', 'venuesMobilised'),
          customersGuided: total('venue_outreach', 'customersGuided'),
          hqVisitors: total('hq_visitor_check', 'visitors'),
          hqAlreadyInstalled: total('hq_visitor_check', 'alreadyInstalled'),
          hqInstalledOnSite: total('hq_visitor_check', 'installedOnSite'),
          hqTurnedAway: total('hq_visitor_check', 'turnedAway'),
          familyInstallsHelped: total('family_help', 'installsHelped'),
        });
      }
      const communeRows = rows.filter((r) => r.type === 'commune');
      const n = (xs: Array<number | null>) => sum(xs.map((x) => x ?? 0));
      const totals = {
        communes: communeRows.length,
        communesBroadcasting: communeRows.filter((r) => r.broadcastCompliant !== null).length,
        communesBroadcastCompliant: communeRows.filter((r) => r.broadcastCompliant === true).length,
        householdsVisited: n(rows.map((r) => r.householdsVisited)),
        propagandaTeams: n(rows.map((r) => r.propagandaTeams)),
        venuesMobilised: n(rows.map((r) => r.venuesMobilised)),
        customersGuided: n(rows.map((r) => r.customersGuided)),
        hqVisitors: n(rows.map((r) => r.hqVisitors)),
        hqInstalledOnSite: n(rows.map((r) => r.hqInstalledOnSite)),
        familyInstallsHelped: n(rows.map((r) => r.familyInstallsHelped)),
      };
      const sorted = sortRows(
        rows,
        q.sort,
        {
          code: (r) => r.orgUnitCode,
          name: (r) => r.name,
          district: (r) => r.districtName,
          broadcastSessions: (r) => r.broadcastSessions,
          householdsVisited: (r) => r.householdsVisited,
          propagandaTeams: (r) => r.propagandaTeams,
          venuesMobilised: (r) => r.venuesMobilised,
          customersGuided: (r) => r.customersGuided,
          hqVisitors: (r) => r.hqVisitors,
          familyInstallsHelped: (r) => r.familyInstallsHelped,
        },
        (r) => r.orgUnitCode,
      );
      return { asOfEvent: g.asOfEvent, totals, rows: sorted };
    });
  }

  /** Passenger checks at bus stations and ferry terminals (directive solution 6). */
  async transport(q: TransportQueryDto, date: string) {
    return this.readModel.read(async (g) => {
      const units = await loadUnits(g);
      const checks: Array<{
        hubCode: string;
        date: string;
        passengersChecked: number;
        alreadyInstalled: number;
        installedOnSite: number;
        refused: number;
      }> = await g.m.query(
        `SELECT hub_code AS "hubCode", date::text AS date, passengers_checked AS "passengersChecked", already_installed AS "alreadyInstalled",
                installed_on_site AS "installedOnSite", refused
         FROM "${g.schema}".transport_checks WHERE date <= $1 ORDER BY hub_code, date`,
        [date],
      );
      const hubs = new Set<string>([...units.values()].filter((u) => u.type === 'transport_hub' && u.active).map((u) => u.code));
      for (const c of checks) hubs.add(c.hubCode);
      const rows: TransportRow[] = [...hubs].sort().map((code) => {
        const u = units.get(code);
        const parent = u?.accountableToCode ? units.get(u.accountableToCode) : undefined;
        const mine = checks.filter((c) => c.hubCode === code);
        const today = mine.find((c) => c.date === date);
        return {
          hubCode: code,
          name: u?.name ?? code,
          accountableToCode: parent?.code ?? null,
          accountableToName: parent?.name ?? null,
          headName: u?.headName ?? null,
          reported: today !== undefined,
          passengersChecked: today?.passengersChecked ?? null,
          alreadyInstalled: today?.alreadyInstalled ?? null,
          installedOnSite: today?.installedOnSite ?? null,
          refused: today?.refused ?? null,
          installedShare: today ? ratio(today.alreadyInstalled + today.installedOnSite, today.passengersChecked) : null,
          passengersToDate: sum(mine.map((c) => c.passengersChecked)),
          installedOnSiteToDate: sum(mine.map((c) => c.installedOnSite)),
        };
      });
      const reported = rows.filter((r) => r.reported);
      const checked = sum(reported.map((r) => r.passengersChecked ?? 0));
      const totals = {
        hubs: rows.length,
        hubsReporting: reported.length,
        passengersChecked: checked,
        alreadyInstalled: sum(reported.map((r) => r.alreadyInstalled ?? 0)),
        installedOnSite: sum(reported.map((r) => r.installedOnSite ?? 0)),
        refused: sum(reported.map((r) => r.refused ?? 0)),
        installedShare: ratio(sum(reported.map((r) => (r.alreadyInstalled ?? 0) + (r.installedOnSite ?? 0))), checked),
      };
      const sorted = sortRows(
        rows,
        q.sort,
        {
          code: (r) => r.hubCode,
          name: (r) => r.name,
          passengersChecked: (r) => r.passengersChecked,
          installedOnSite: (r) => r.installedOnSite,
          refused: (r) => r.refused,
          installedShare: (r) => r.installedShare,
          passengersToDate: (r) => r.passengersToDate,
        },
        (r) => r.hubCode,
      );
      return { asOfEvent: g.asOfEvent, totals, rows: sorted };
    });
  }
}
