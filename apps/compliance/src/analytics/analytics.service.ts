import { Injectable } from '@nestjs/common';
import { COHORTS_BY_UNIT_TYPE, treeOfCohort, type Cohort, type TargetStatus, type Tree } from '@app/contracts';
import { ProblemException, type Principal } from '@app/platform';
import {
  addDays,
  fallbackStatus,
  notBeforeFirstDay,
  measure,
  STATUS_SEVERITY,
  toFigure,
  type Figure,
  type Target,
} from '../common/figures';
import { paginate, sortRows, type Page } from '../common/listing';
import {
  assembleSnapshot,
  childrenOf,
  figuresOf,
  FIGURE_COLUMNS,
  ReadModelService,
  subtreeCodes,
  type Generation,
  type Snapshot,
  type UnitRow,
} from '../common/read-model.service';
import type { FigureCounts } from '../common/figures';
import type { LaggardsQueryDto, TargetStatusesQueryDto, TimeseriesQueryDto, UnitsQueryDto } from './dto/analytics-query.dto';

export interface Head {
  name: string;
  title: string | null;
}
export interface UnitRef {
  code: string;
  name: string;
  type: string;
  head: Head | null;
}

export interface TargetSummary {
  targetId: string;
  name: string;
  metric: string;
  cohorts: Cohort[];
  tree: Tree;
  deadline: string;
  rootUnit: string | null;
  value: number | null;
  threshold: number;
  status: TargetStatus;
  gap: number | null;
  unitsBreached: number;
}

export interface UnitListRow {
  code: string;
  name: string;
  type: string;
  level: number | null;
  adminParentCode: string | null;
  accountableToCode: string | null;
  head: Head | null;
  cohort: Cohort;
  tree: Tree;
  figure: Figure | null;
  targetId: string | null;
  status: TargetStatus | null;
  value: number | null;
  threshold: number | null;
  gap: number | null;
}

export interface UnitStatusRow {
  targetId: string;
  orgUnitCode: string;
  name: string;
  type: string;
  level: number | null;
  head: Head | null;
  accountableTo: UnitRef | null;
  status: TargetStatus;
  previousStatus: TargetStatus | null;
  since: string | null;
  value: number | null;
  threshold: number;
  gap: number | null;
  forecastDate: string | null;
  /** From the rates service: whether the unit's subtree reported within the target's window (null when not said). */
  reporting: boolean | null;
  reportingUnits: number | null;
  expectedUnits: number | null;
}

export function headOf(u: UnitRow): Head | null {
  return u.headName ? { name: u.headName, title: u.headTitle } : null;
}

export function refOf(u: UnitRow | undefined): UnitRef | null {
  return u ? { code: u.code, name: u.name, type: u.type, head: headOf(u) } : null;
}

/** The unit a target is judged on as a whole: the province (the root of both trees). */
export function rootUnit(s: Snapshot): UnitRow | undefined {
  return [...s.units.values()].find((u) => u.type === 'province' && u.active) ?? [...s.units.values()].find((u) => u.type === 'province');
}

/** A unit's standing against a target: value and gap from its figures, status from the rates service (or derived). */
export function standing(
  s: Snapshot,
  t: Target,
  code: string,
): {
  value: number | null;
  gap: number | null;
  status: TargetStatus;
  since: string | null;
  previousStatus: TargetStatus | null;
  forecastDate: string | null;
} {
  const m = measure(t, figuresOf(s, code));
  const st = s.statuses.get(t.targetId)?.get(code);
  const value = m.value ?? st?.value ?? null;
  const gap = m.gap ?? (st ? st.gap : null);
  return {
    value,
    gap,
    status: st?.status ?? fallbackStatus(t, value, s.date),
    since: st?.date ?? null,
    previousStatus: st?.previousStatus ?? null,
    forecastDate: st?.forecastDate ?? null,
  };
}

/** Summaries kept per (generation, read-model version, date): at most this many dates' answers. */
const SUMMARY_CACHE_SIZE = 64;

@Injectable()
export class AnalyticsService {
  /** Computed (or being computed) summaries, keyed by ReadModelService.version and the date; oldest first. */
  private readonly summaries = new Map<string, Promise<TargetSummary[]>>();

  constructor(private readonly readModel: ReadModelService) {}

  /** null: the key reads everything; otherwise the codes it may read. */
  visible(s: Snapshot, p: Principal): Set<string> | null {
    if (p.role === 'admin' || p.role === 'analyst') return null;
    return p.orgUnitCode ? subtreeCodes(s.units, p.orgUnitCode) : new Set();
  }

  requireUnit(s: Snapshot, code: string, field = 'code'): UnitRow {
    const u = s.units.get(code);
    if (!u) throw new ProblemException(404, `unknown org unit ${code}`, [{ field, message: `${field} ${code} is not a known unit` }]);
    return u;
  }

  requireTarget(s: Pick<Snapshot, 'targets'>, id: string, field = 'target'): Target {
    const t = s.targets.find((x) => x.targetId === id);
    if (!t) throw new ProblemException(404, `unknown target ${id}`, [{ field, message: `${field} ${id} is not a known target` }]);
    return t;
  }

  /** `unitsBreached` counts from the snapshot's statuses unless the counts are given (a snapshot of the root only). */
  summarize(s: Snapshot, breachedCounts?: Map<string, number>): TargetSummary[] {
    const root = rootUnit(s);
    return s.targets.map((t) => {
      const st = root ? standing(s, t, root.code) : null;
      let breached = 0;
      if (breachedCounts) breached = breachedCounts.get(t.targetId) ?? 0;
      else for (const row of s.statuses.get(t.targetId)?.values() ?? []) if (row.status === 'breached') breached += 1;
      return {
        targetId: t.targetId,
        name: t.name,
        metric: t.metric,
        cohorts: t.cohorts,
        tree: t.tree,
        deadline: t.deadline,
        rootUnit: root?.code ?? null,
        value: st?.value ?? null,
        threshold: t.threshold,
        status: st?.status ?? 'no_data',
        gap: st?.gap ?? null,
        unitsBreached: breached,
      };
    });
  }

  /**
   * Each target on the province. The answer depends only on the read model and the date, so it is kept
   * per (generation, read-model version, date): identical requests between two applied events share one
   * computation, and any applied event or generation switch changes the key.
   */
  async summary(date: string) {
    return this.readModel.read(async (g) => {
      const key = `${await this.readModel.version(g)}|${date}`;
      let targets = this.summaries.get(key);
      if (!targets) {
        targets = this.computeSummary(g, date);
        this.summaries.set(key, targets);
        targets.catch(() => this.summaries.delete(key));
        while (this.summaries.size > SUMMARY_CACHE_SIZE) this.summaries.delete(this.summaries.keys().next().value!);
      }
      // Equal keys mean equal inputs, so another request's computation serves this snapshot too; if it
      // failed (its transaction, not the data), compute in this one.
      return { date, asOfEvent: g.asOfEvent, targets: await targets.catch(() => this.computeSummary(g, date)) };
    });
  }

  /** The province's figures and statuses, and per target the units breached: the root unit and one pass over the statuses' key. */
  private async computeSummary(g: Generation, date: string): Promise<TargetSummary[]> {
    const targets = await this.readModel.targets(g);
    const provinces: UnitRow[] = await g.m.query(
      `SELECT code, name, type, bloc, admin_parent_code AS "adminParentCode", accountable_to_code AS "accountableToCode",
              head_name AS "headName", head_title AS "headTitle", level, active
       FROM "${g.schema}".units WHERE type = 'province' ORDER BY active DESC, code LIMIT 1`,
    );
    const codes = provinces.map((u) => u.code);
    const [figures, statuses, breached] = [
      await this.readModel.figuresOfUnits(g, date, codes),
      await this.readModel.statusesOf(
        g,
        date,
        targets.map((t) => t.targetId),
        codes,
      ),
      await this.readModel.breachedCounts(g, date),
    ];
    return this.summarize(assembleSnapshot(date, g.asOfEvent, provinces, figures, statuses, targets), breached);
  }

  async unit(code: string, date: string, historyDays: number) {
    return this.readModel.read(async (g) => {
      const found = await this.readModel.unit(g, code);
      if (!found)
        throw new ProblemException(404, `unknown org unit ${code}`, [{ field: 'code', message: `code ${code} is not a known unit` }]);
      const targets = await this.readModel.targets(g);
      const parents = await this.readModel.unitsByCode(
        g,
        [found.adminParentCode, found.accountableToCode].filter((c): c is string => c !== null),
      );
      const children = await this.readModel.childrenOfUnit(g, code);
      const s = assembleSnapshot(
        date,
        g.asOfEvent,
        [found, ...parents, ...children],
        await this.readModel.figuresOfUnits(g, date, [code]),
        await this.readModel.statusesOf(
          g,
          date,
          targets.map((t) => t.targetId),
          [code],
        ),
        targets,
      );
      const u = found;
      const figures = figuresOf(s, code).map(toFigure);
      const history: FigureCounts[] = await g.m.query(
        `SELECT ${FIGURE_COLUMNS} FROM "${g.schema}".figures WHERE org_unit_code = $1 AND date <= $2 AND date > $3
         ORDER BY date, cohort, tree`,
        [code, date, notBeforeFirstDay(addDays(date, -historyDays))],
      );
      const kids = (tree: Tree) => childrenOf(new Map(children.map((c) => [c.code, c])), code, tree).map((c) => refOf(c)!);
      return {
        date,
        asOfEvent: s.asOfEvent,
        code: u.code,
        name: u.name,
        type: u.type,
        bloc: u.bloc,
        level: u.level,
        active: u.active,
        head: headOf(u),
        adminParent: refOf(u.adminParentCode ? s.units.get(u.adminParentCode) : undefined),
        accountableTo: refOf(u.accountableToCode ? s.units.get(u.accountableToCode) : undefined),
        figures,
        targets: s.targets.map((t) => {
          const st = standing(s, t, code);
          return { targetId: t.targetId, name: t.name, threshold: t.threshold, deadline: t.deadline, ...st };
        }),
        children: { administrative: kids('administrative'), accountability: kids('accountability') },
        history: history.map(toFigure),
      };
    });
  }

  /** The list rows of `candidates` (default: every unit of the snapshot), filtered, then sorted. */
  unitRows(s: Snapshot, q: UnitsQueryDto, visible: Set<string> | null, candidates: Iterable<UnitRow> = s.units.values()): UnitListRow[] {
    const cohort: Cohort = q.cohort ?? (q.type ? COHORTS_BY_UNIT_TYPE[q.type][0] : 'residents');
    const tree: Tree = q.tree ?? treeOfCohort(cohort);
    if (q.parent) this.requireUnit(s, q.parent, 'parent');
    const target = q.target ? this.requireTarget(s, q.target) : s.targets.find((t) => t.tree === tree && t.cohorts.includes(cohort));
    const rows: UnitListRow[] = [];
    for (const u of candidates) {
      if (!u.active) continue;
      if (visible && !visible.has(u.code)) continue;
      if (q.type && u.type !== q.type) continue;
      if (q.level && u.level !== q.level) continue;
      if (q.parent && (tree === 'administrative' ? u.adminParentCode : u.accountableToCode) !== q.parent) continue;
      const f = figuresOf(s, u.code, cohort, tree)[0];
      const st = target ? standing(s, target, u.code) : null;
      if (q.status && st?.status !== q.status) continue;
      rows.push({
        code: u.code,
        name: u.name,
        type: u.type,
        level: u.level,
        adminParentCode: u.adminParentCode,
        accountableToCode: u.accountableToCode,
        head: headOf(u),
        cohort,
        tree,
        figure: f ? toFigure(f) : null,
        targetId: target?.targetId ?? null,
        status: st?.status ?? null,
        value: st?.value ?? null,
        threshold: target?.threshold ?? null,
        gap: st?.gap ?? null,
      });
    }
    return sortRows(
      rows,
      q.sort,
      {
        code: (r) => r.code,
        name: (r) => r.name,
        level: (r) => r.level,
        headcount: (r) => r.figure?.headcount,
        smartphoneHolders: (r) => r.figure?.smartphoneHolders,
        installed: (r) => r.figure?.installed,
        bluetoothOn: (r) => r.figure?.bluetoothOn,
        installRate: (r) => r.figure?.installRate,
        bluetoothRate: (r) => r.figure?.bluetoothRate,
        population: (r) => r.figure?.population,
        populationRate: (r) => r.figure?.populationRate,
        reportingUnits: (r) => r.figure?.reportingUnits,
        value: (r) => r.value,
        gap: (r) => r.gap,
        status: (r) => (r.status ? STATUS_SEVERITY[r.status] : null),
      },
      (r) => r.code,
    );
  }

  /**
   * The units matching the filters, read by the filters (the parent's children through the parent
   * indexes), with figures and statuses of those units only; a portal key's scope by walking up from them.
   */
  async units(q: UnitsQueryDto, date: string, p: Principal) {
    return this.readModel.read(async (g) => {
      const targets = await this.readModel.targets(g);
      const cohort: Cohort = q.cohort ?? (q.type ? COHORTS_BY_UNIT_TYPE[q.type][0] : 'residents');
      const tree: Tree = q.tree ?? treeOfCohort(cohort);
      const parent = q.parent ? await this.readModel.unit(g, q.parent) : undefined;
      if (q.parent && !parent)
        throw new ProblemException(404, `unknown org unit ${q.parent}`, [
          { field: 'parent', message: `parent ${q.parent} is not a known unit` },
        ]);
      const target = q.target
        ? this.requireTarget({ targets }, q.target)
        : targets.find((t) => t.tree === tree && t.cohorts.includes(cohort));
      const where = {
        active: true,
        type: q.type,
        level: q.level,
        ...(q.parent ? (tree === 'administrative' ? { adminParentCode: q.parent } : { accountableToCode: q.parent }) : {}),
      };
      // A portal key: a parent's children are few, check each; otherwise list within the key's subtree.
      const candidates =
        this.readsAll(p) || q.parent
          ? await this.scoped(g, p, await this.readModel.unitsWhere(g, where))
          : p.orgUnitCode
            ? await this.readModel.unitsWhere(g, { ...where, codes: await this.readModel.subtree(g, p.orgUnitCode) })
            : [];
      const codes = candidates.map((u) => u.code);
      const s = assembleSnapshot(
        date,
        g.asOfEvent,
        parent ? [...candidates, parent] : candidates,
        await this.readModel.figuresOfUnits(g, date, codes),
        target ? await this.readModel.statusesOf(g, date, [target.targetId], codes) : [],
        targets,
      );
      return { s, rows: this.unitRows(s, q, null, candidates) };
    });
  }

  private readsAll(p: Principal): boolean {
    return p.role === 'admin' || p.role === 'analyst';
  }

  /** The units a key may read among these: all for admin and analyst, a portal key its subtree on either tree. */
  private async scoped(g: Generation, p: Principal, units: UnitRow[]): Promise<UnitRow[]> {
    if (this.readsAll(p)) return units;
    if (!p.orgUnitCode) return [];
    const inside = await this.readModel.withinSubtree(
      g,
      p.orgUnitCode,
      units.map((u) => u.code),
    );
    return units.filter((u) => inside.has(u.code));
  }

  /**
   * What statusRows needs for these targets: every unit with a status for them (in the key's scope),
   * those units, the units they answer to, and their figures; nothing else of the registry.
   */
  private async statusSnapshot(
    g: Generation,
    date: string,
    targets: Target[],
    chosen: Target[],
    p: Principal,
  ): Promise<{ s: Snapshot; visible: Set<string> | null }> {
    const ids = chosen.map((t) => t.targetId);
    const statuses = this.readsAll(p)
      ? await this.readModel.statusesOf(g, date, ids, null)
      : p.orgUnitCode
        ? await this.readModel.statusesOf(g, date, ids, await this.readModel.subtree(g, p.orgUnitCode))
        : [];
    const units = await this.readModel.unitsByCode(
      g,
      statuses.map((st) => st.orgUnitCode),
    );
    const codes = units.map((u) => u.code);
    const have = new Set(codes);
    const bosses = await this.readModel.unitsByCode(
      g,
      units.map((u) => u.accountableToCode).filter((c): c is string => c !== null && !have.has(c)),
    );
    const s = assembleSnapshot(
      date,
      g.asOfEvent,
      [...units, ...bosses],
      await this.readModel.figuresOfUnits(g, date, codes),
      statuses,
      targets,
    );
    // The bosses are in the snapshot only to be named; a portal key reads the units of its scope only.
    return { s, visible: this.readsAll(p) ? null : new Set(codes) };
  }

  statusRows(
    s: Snapshot,
    t: Target,
    q: Pick<TargetStatusesQueryDto, 'status' | 'type'>,
    visible: Set<string> | null,
    onlyBelow = false,
  ): UnitStatusRow[] {
    const rows: UnitStatusRow[] = [];
    for (const code of s.statuses.get(t.targetId)?.keys() ?? []) {
      const u = s.units.get(code);
      if (!u || (visible && !visible.has(code))) continue;
      if (q.type && u.type !== q.type) continue;
      const st = standing(s, t, code);
      const raw = s.statuses.get(t.targetId)?.get(code);
      if (q.status && st.status !== q.status) continue;
      if (onlyBelow && !['breached', 'at_risk', 'on_track'].includes(st.status)) continue;
      rows.push({
        targetId: t.targetId,
        orgUnitCode: code,
        name: u.name,
        type: u.type,
        level: u.level,
        head: headOf(u),
        accountableTo: refOf(u.accountableToCode ? s.units.get(u.accountableToCode) : undefined),
        status: st.status,
        previousStatus: st.previousStatus,
        since: st.since,
        value: st.value,
        threshold: t.threshold,
        gap: st.gap,
        forecastDate: st.forecastDate,
        reporting: raw?.reporting ?? null,
        reportingUnits: raw?.reportingUnits ?? null,
        expectedUnits: raw?.expectedUnits ?? null,
      });
    }
    return rows;
  }

  async targetStatuses(id: string, q: TargetStatusesQueryDto, date: string, p: Principal) {
    const { s, t, rows } = await this.readModel.read(async (g) => {
      const targets = await this.readModel.targets(g);
      const t = this.requireTarget({ targets }, id, 'id');
      const { s, visible } = await this.statusSnapshot(g, date, targets, [t], p);
      return { s, t, rows: this.statusRows(s, t, q, visible) };
    });
    const sorted = sortRows(
      rows,
      q.sort ?? 'status',
      {
        code: (r) => r.orgUnitCode,
        name: (r) => r.name,
        status: (r) => STATUS_SEVERITY[r.status],
        value: (r) => r.value,
        gap: (r) => r.gap,
        since: (r) => r.since,
      },
      (r) => r.orgUnitCode,
    );
    return { s, target: t, rows: sorted };
  }

  laggardRows(s: Snapshot, q: LaggardsQueryDto, visible: Set<string> | null): UnitStatusRow[] {
    const targets = q.target ? [this.requireTarget(s, q.target)] : s.targets;
    const rows = targets.flatMap((t) => this.statusRows(s, t, q, visible, true));
    if (q.sort) {
      return sortRows(
        rows,
        q.sort,
        {
          code: (r) => r.orgUnitCode,
          name: (r) => r.name,
          status: (r) => STATUS_SEVERITY[r.status],
          value: (r) => r.value,
          gap: (r) => r.gap,
        },
        (r) => `${r.orgUnitCode}\u0000${r.targetId}`,
      );
    }
    // Worst first: the lowest value, then the most people missing, then the worst status.
    return [...rows].sort(
      (a, b) =>
        (a.value ?? Infinity) - (b.value ?? Infinity) ||
        (b.gap ?? -1) - (a.gap ?? -1) ||
        STATUS_SEVERITY[a.status] - STATUS_SEVERITY[b.status] ||
        (a.orgUnitCode < b.orgUnitCode ? -1 : a.orgUnitCode > b.orgUnitCode ? 1 : 0) ||
        (a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0),
    );
  }

  async laggards(q: LaggardsQueryDto, date: string, p: Principal) {
    return this.readModel.read(async (g) => {
      const targets = await this.readModel.targets(g);
      const chosen = q.target ? [this.requireTarget({ targets }, q.target)] : targets;
      const { s, visible } = await this.statusSnapshot(g, date, targets, chosen, p);
      return { s, rows: this.laggardRows(s, q, visible) };
    });
  }

  /** One figure per day and (cohort, tree): the figure holding that day (a figure holds until the next). */
  async timeseries(q: TimeseriesQueryDto, to: string, from: string): Promise<{ asOfEvent: string | null; rows: Figure[] }> {
    return this.readModel.read(async (g) => {
      const exists: unknown[] = await g.m.query(`SELECT 1 FROM "${g.schema}".units WHERE code = $1 AND type IS NOT NULL`, [q.unit]);
      if (!exists.length)
        throw new ProblemException(404, `unknown org unit ${q.unit}`, [{ field: 'unit', message: `unit ${q.unit} is not a known unit` }]);
      const rows: FigureCounts[] = await g.m.query(
        `SELECT ${FIGURE_COLUMNS} FROM "${g.schema}".figures
         WHERE org_unit_code = $1 AND date <= $2 AND ($3::text IS NULL OR cohort = $3) AND ($4::text IS NULL OR tree = $4)
         ORDER BY cohort, tree, date`,
        [q.unit, to, q.cohort ?? null, q.tree ?? null],
      );
      const series = new Map<string, FigureCounts[]>();
      for (const r of rows) series.set(`${r.cohort}|${r.tree}`, [...(series.get(`${r.cohort}|${r.tree}`) ?? []), r]);
      const out: Figure[] = [];
      for (let day = from; day <= to; day = addDays(day, 1)) {
        for (const list of series.values()) {
          let holding: FigureCounts | undefined;
          for (const r of list) if (r.date <= day) holding = r;
          if (holding) out.push(toFigure({ ...holding, date: day }));
        }
      }
      return { asOfEvent: g.asOfEvent, rows: out };
    });
  }

  paged<T>(rows: T[], limit: number, offset: number): Page<T> {
    return paginate(rows, limit, offset);
  }
}
