import { Injectable } from '@nestjs/common';
import { COHORTS_BY_UNIT_TYPE, treeOfCohort, type Bloc, type Cohort, type TargetStatus, type Tree, type UnitType } from '@app/contracts';
import {
  addDays,
  decideStatus,
  measureTarget,
  rankWorstFirst,
  STANDING_LABELS,
  standingOf,
  statusesOfStanding,
  statusSeverity,
  tallyStatuses,
  targetName,
  UNIT_TYPE_LABELS,
  type Lang,
  type Standing,
  type StatusGroup,
  type TargetTally,
} from '@app/domain';
import { CampaignCalendar, ProblemException, type Principal } from '@app/platform';
import { ContactAccessService, headOf, revealsContacts, type Head, type Viewer } from '../common/contacts';
import { notBeforeFirstDay, toFigure, type Figure } from '../common/figures';
import { paginate, sortRows, type Page } from '../common/listing';
import {
  assembleSnapshot,
  childrenOf,
  figuresOf,
  FIGURE_COLUMNS,
  ReadModelService,
  UNIT_COLUMNS,
  subtreeCodes,
  type Generation,
  type Snapshot,
  type TargetRow,
  type UnitRow,
} from '../common/read-model.service';
import type { FigureCounts } from '../common/figures';
import type { LaggardsQueryDto, TargetStatusesQueryDto, TimeseriesQueryDto, UnitsQueryDto } from './dto/analytics-query.dto';

export { headOf, type Head } from '../common/contacts';

export interface UnitRef {
  code: string;
  name: string;
  type: string;
  head: Head | null;
}

/** A target on the province (its root unit) on a day, with its units counted by the statuses' rules. */
export interface TargetSummary extends TargetTally {
  targetId: string;
  /** In the language asked for; both are given. */
  name: string;
  nameVi: string;
  nameEn: string;
  metric: string;
  cohorts: Cohort[];
  tree: Tree;
  deadline: string;
  rootUnit: string | null;
  value: number | null;
  threshold: number;
  /** The rates service's status of the root unit. */
  status: TargetStatus;
  /** What officials read: the status, or due_today on the deadline while the root is short. */
  standing: Standing;
  statusLabel: string;
  /** The deadline is this day. */
  dueToday: boolean;
  /** People still short of the threshold on the root unit (null without a denominator). */
  gap: number | null;
  peopleShort: number | null;
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
  standing: Standing | null;
  value: number | null;
  threshold: number | null;
  gap: number | null;
}

export interface UnitStatusRow {
  targetId: string;
  targetName: string;
  orgUnitCode: string;
  name: string;
  type: string;
  typeLabel: string;
  bloc: Bloc | null;
  level: number | null;
  head: Head | null;
  /** The unit's parent on the target's tree: who it answers to for this target. */
  parent: UnitRef | null;
  accountableTo: UnitRef | null;
  /** The rates service's status. */
  status: TargetStatus;
  /** What officials read (due_today on the deadline for a unit short). */
  standing: Standing;
  statusLabel: string;
  previousStatus: TargetStatus | null;
  /** The first day of the current status. */
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

export function refOf(u: UnitRow | undefined, reveal = false): UnitRef | null {
  return u ? { code: u.code, name: u.name, type: u.type, head: headOf(u, reveal) } : null;
}

/** The unit a target is judged on as a whole: the province (the root of both trees). */
export function rootUnit(s: Snapshot): UnitRow | undefined {
  return [...s.units.values()].find((u) => u.type === 'province' && u.active) ?? [...s.units.values()].find((u) => u.type === 'province');
}

/**
 * A unit's standing against a target: value and gap by the domain's rule over the figures rates published
 * (which move every day; a status is published only when it changes), the status rates decided (or, for a
 * unit rates has not judged yet, the domain's rule with no trend), and what officials read on the day.
 */
export function standing(
  s: Snapshot,
  t: TargetRow,
  code: string,
): {
  value: number | null;
  gap: number | null;
  status: TargetStatus;
  standing: Standing;
  since: string | null;
  previousStatus: TargetStatus | null;
  forecastDate: string | null;
} {
  const m = measureTarget(t, figuresOf(s, code));
  const st = s.statuses.get(t.targetId)?.get(code);
  const value = m.value ?? st?.value ?? null;
  const gap = m.gap ?? (st ? st.gap : null);
  const status =
    st?.status ?? decideStatus({ value, threshold: t.threshold, deadline: t.deadline, date: s.date, reporting: true, forecastDate: null });
  return {
    value,
    gap,
    status,
    standing: standingOf(t, status, s.date),
    since: st?.date ?? null,
    previousStatus: st?.previousStatus ?? null,
    forecastDate: st?.forecastDate ?? null,
  };
}

/** Per target, the units of the snapshot by their latest status (what statusCounts reads from the database). */
function groupsOf(s: Snapshot): Map<string, StatusGroup[]> {
  const out = new Map<string, StatusGroup[]>();
  for (const [targetId, rows] of s.statuses) {
    const n = new Map<TargetStatus, number>();
    for (const r of rows.values()) n.set(r.status, (n.get(r.status) ?? 0) + 1);
    out.set(
      targetId,
      [...n].map(([status, units]) => ({ status, units })),
    );
  }
  return out;
}

export interface PageOf {
  limit: number;
  offset: number;
}

const STATUS_SORT = {
  code: (r: UnitStatusRow) => r.orgUnitCode,
  name: (r: UnitStatusRow) => r.name,
  status: (r: UnitStatusRow) => statusSeverity(r.status),
  value: (r: UnitStatusRow) => r.value,
  gap: (r: UnitStatusRow) => r.gap,
  since: (r: UnitStatusRow) => r.since,
};

/** A row as the ranking rule reads it. */
function ranked(row: UnitStatusRow) {
  return {
    row,
    value: row.value,
    threshold: row.threshold,
    gap: row.gap,
    status: row.status,
    code: row.orgUnitCode,
    targetId: row.targetId,
  };
}

/** Summaries kept per (generation, read-model version, date): at most this many dates' answers. */
const SUMMARY_CACHE_SIZE = 64;

@Injectable()
export class AnalyticsService {
  /** Computed (or being computed) summaries, keyed by ReadModelService.version and the date; oldest first. */
  private readonly summaries = new Map<string, Promise<TargetSummary[]>>();

  constructor(
    private readonly readModel: ReadModelService,
    private readonly calendar: CampaignCalendar,
    private readonly contacts: ContactAccessService,
  ) {}

  /**
   * The day a view opens on when none is asked for: the latest campaign day on which something was
   * reported, never a later day that only a lapsing window or a passing deadline made; today before any report.
   */
  async defaultDay(): Promise<string> {
    const today = this.calendar.today();
    return (await this.readModel.read((g) => this.readModel.latestReportDay(g, today))) ?? today;
  }

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

  requireTarget(s: Pick<Snapshot, 'targets'>, id: string, field = 'target'): TargetRow {
    const t = s.targets.find((x) => x.targetId === id);
    if (!t) throw new ProblemException(404, `unknown target ${id}`, [{ field, message: `${field} ${id} is not a known target` }]);
    return t;
  }

  /**
   * Each target on the root unit, with its units counted by status: from `counts` (the database's, for the
   * summary route) or from the snapshot's statuses (a whole-province snapshot: dashboard, daily report).
   */
  summarize(s: Snapshot, counts?: Map<string, StatusGroup[]>, lang: Lang = 'vi'): TargetSummary[] {
    const root = rootUnit(s);
    const groups = counts ?? groupsOf(s);
    return s.targets.map((t) => {
      const st = root ? standing(s, t, root.code) : null;
      const shown: Standing = st?.standing ?? 'no_data';
      return {
        targetId: t.targetId,
        name: targetName(t, lang),
        nameVi: t.nameVi,
        nameEn: t.nameEn,
        metric: t.metric,
        cohorts: [...t.cohorts],
        tree: t.tree,
        deadline: t.deadline,
        rootUnit: root?.code ?? null,
        value: st?.value ?? null,
        threshold: t.threshold,
        status: st?.status ?? 'no_data',
        standing: shown,
        statusLabel: STANDING_LABELS[lang][shown],
        dueToday: s.date === t.deadline,
        gap: st?.gap ?? null,
        peopleShort: st?.gap ?? null,
        ...tallyStatuses(groups.get(t.targetId) ?? []),
      };
    });
  }

  /**
   * Each target on the province. The answer depends only on the read model and the date, so it is kept
   * per (generation, read-model version, date): identical requests between two applied events share one
   * computation, and any applied event or generation switch changes the key.
   */
  async summary(date: string, lang: Lang = 'vi') {
    return this.readModel.read(async (g) => {
      const key = `${await this.readModel.version(g)}|${date}|${lang}`;
      let targets = this.summaries.get(key);
      if (!targets) {
        targets = this.computeSummary(g, date, lang);
        this.summaries.set(key, targets);
        targets.catch(() => this.summaries.delete(key));
        while (this.summaries.size > SUMMARY_CACHE_SIZE) this.summaries.delete(this.summaries.keys().next().value!);
      }
      // Equal keys mean equal inputs, so another request's computation serves this snapshot too; if it
      // failed (its transaction, not the data), compute in this one.
      return { date, asOfEvent: g.asOfEvent, targets: await targets.catch(() => this.computeSummary(g, date, lang)) };
    });
  }

  /** The province's figures and statuses, and per target its units by status: the root unit and one pass over the statuses' key. */
  private async computeSummary(g: Generation, date: string, lang: Lang): Promise<TargetSummary[]> {
    const targets = await this.readModel.targets(g);
    const provinces: UnitRow[] = await g.m.query(
      `SELECT ${UNIT_COLUMNS} FROM "${g.schema}".units WHERE type = 'province' ORDER BY active DESC, code LIMIT 1`,
    );
    const codes = provinces.map((u) => u.code);
    const [figures, statuses, counts] = [
      await this.readModel.figuresOfUnits(g, date, codes),
      await this.readModel.statusesOf(
        g,
        date,
        targets.map((t) => t.targetId),
        codes,
      ),
      await this.readModel.statusCounts(g, date),
    ];
    return this.summarize(assembleSnapshot(date, g.asOfEvent, provinces, figures, statuses, targets), counts, lang);
  }

  /** A unit's page: its figures, standings, head, parents and children; heads' contacts as `viewer` may read them (recorded). */
  async unit(code: string, date: string, historyDays: number, viewer: Viewer) {
    const reveal = revealsContacts(viewer.principal);
    const { body, shown } = await this.readModel.read(async (g) => {
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
      const kids = (tree: Tree) => childrenOf(new Map(children.map((c) => [c.code, c])), code, tree).map((c) => refOf(c, reveal)!);
      const body = {
        date,
        asOfEvent: s.asOfEvent,
        code: u.code,
        name: u.name,
        type: u.type,
        bloc: u.bloc,
        level: u.level,
        active: u.active,
        typeLabel: UNIT_TYPE_LABELS[viewer.lang][u.type],
        head: headOf(u, reveal),
        adminParent: refOf(u.adminParentCode ? s.units.get(u.adminParentCode) : undefined, reveal),
        accountableTo: refOf(u.accountableToCode ? s.units.get(u.accountableToCode) : undefined, reveal),
        figures,
        targets: s.targets.map((t) => {
          const st = standing(s, t, code);
          return {
            targetId: t.targetId,
            name: targetName(t, viewer.lang),
            threshold: t.threshold,
            deadline: t.deadline,
            ...st,
            statusLabel: STANDING_LABELS[viewer.lang][st.standing],
          };
        }),
        children: { administrative: kids('administrative'), accountability: kids('accountability') },
        history: history.map(toFigure),
      };
      return { body, shown: [...s.units.values()] };
    });
    await this.contacts.record(viewer, shown);
    return body;
  }

  /** The list rows of `candidates` (default: every unit of the snapshot), filtered, then sorted. */
  unitRows(
    s: Snapshot,
    q: UnitsQueryDto,
    visible: Set<string> | null,
    candidates: Iterable<UnitRow> = s.units.values(),
    reveal = false,
  ): UnitListRow[] {
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
      if (q.status && st?.standing !== q.status) continue;
      rows.push({
        code: u.code,
        name: u.name,
        type: u.type,
        level: u.level,
        adminParentCode: u.adminParentCode,
        accountableToCode: u.accountableToCode,
        head: headOf(u, reveal),
        cohort,
        tree,
        figure: f ? toFigure(f) : null,
        targetId: target?.targetId ?? null,
        status: st?.status ?? null,
        standing: st?.standing ?? null,
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
        status: (r) => (r.status ? statusSeverity(r.status) : null),
      },
      (r) => r.code,
    );
  }

  /**
   * The units matching the filters, read by the filters (the parent's children through the parent
   * indexes), with figures and statuses of those units only; a portal key's scope by walking up from them.
   */
  async units(q: UnitsQueryDto, date: string, viewer: Viewer & { principal: Principal }, page: PageOf) {
    const p = viewer.principal;
    const out = await this.readModel.read(async (g) => {
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
      return { s, rows: this.unitRows(s, q, null, candidates, revealsContacts(p)) };
    });
    const shown = paginate(out.rows, page.limit, page.offset);
    await this.contacts.record(
      viewer,
      shown.items.map((r) => out.s.units.get(r.code)),
    );
    return { ...out, page: shown };
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
   * What statusRows needs for these targets: every unit with a status for them (in the key's scope and,
   * when asked, within one unit's subtree), those units, their parents on both trees, and their figures;
   * nothing else of the registry.
   */
  private async statusSnapshot(
    g: Generation,
    date: string,
    targets: TargetRow[],
    chosen: TargetRow[],
    p: Principal,
    within?: string,
  ): Promise<{ s: Snapshot; visible: Set<string> | null }> {
    const ids = chosen.map((t) => t.targetId);
    if (within && !(await this.readModel.unit(g, within)))
      throw new ProblemException(404, `unknown org unit ${within}`, [{ field: 'within', message: `within ${within} is not a known unit` }]);
    let scope: string[] | null = this.readsAll(p) ? null : p.orgUnitCode ? await this.readModel.subtree(g, p.orgUnitCode) : [];
    if (within) {
      const sub = await this.readModel.subtree(g, within);
      scope = scope === null ? sub : sub.filter((c) => new Set(scope).has(c));
    }
    const statuses = await this.readModel.statusesOf(g, date, ids, scope);
    const units = await this.readModel.unitsByCode(
      g,
      statuses.map((st) => st.orgUnitCode),
    );
    const codes = units.map((u) => u.code);
    const have = new Set(codes);
    const parents = await this.readModel.unitsByCode(
      g,
      units.flatMap((u) => [u.accountableToCode, u.adminParentCode]).filter((c): c is string => c !== null && !have.has(c)),
    );
    const s = assembleSnapshot(
      date,
      g.asOfEvent,
      [...units, ...parents],
      await this.readModel.figuresOfUnits(g, date, codes),
      statuses,
      targets,
    );
    // The parents are in the snapshot only to be named; a portal key reads the units of its scope only.
    return { s, visible: scope === null ? null : new Set(codes) };
  }

  /**
   * The rows of one target, filtered. `below`: only units short (on track, at risk, due today, breached),
   * the laggards' default. Heads' contacts in full only when `reveal`.
   */
  statusRows(
    s: Snapshot,
    t: TargetRow,
    q: { status?: Standing; type?: UnitType; bloc?: Bloc; level?: number },
    visible: Set<string> | null,
    below = false,
    reveal = false,
    lang: Lang = 'vi',
  ): UnitStatusRow[] {
    const rows: UnitStatusRow[] = [];
    const wanted = q.status ? new Set(statusesOfStanding(q.status)) : null;
    for (const code of s.statuses.get(t.targetId)?.keys() ?? []) {
      const u = s.units.get(code);
      if (!u || (visible && !visible.has(code))) continue;
      if (q.type && u.type !== q.type) continue;
      if (q.bloc && u.bloc !== q.bloc) continue;
      if (q.level && u.level !== q.level) continue;
      const st = standing(s, t, code);
      const raw = s.statuses.get(t.targetId)?.get(code);
      if (wanted && !wanted.has(st.status)) continue;
      if (q.status === 'due_today' && st.standing !== 'due_today') continue;
      if (below && !wanted && !['breached', 'at_risk', 'on_track'].includes(st.status)) continue;
      const parentCode = t.tree === 'administrative' ? u.adminParentCode : u.accountableToCode;
      rows.push({
        targetId: t.targetId,
        targetName: targetName(t, lang),
        orgUnitCode: code,
        name: u.name,
        type: u.type,
        typeLabel: UNIT_TYPE_LABELS[lang][u.type],
        bloc: (u.bloc as Bloc | null) ?? null,
        level: u.level,
        head: headOf(u, reveal),
        parent: refOf(parentCode ? s.units.get(parentCode) : undefined),
        accountableTo: refOf(u.accountableToCode ? s.units.get(u.accountableToCode) : undefined),
        status: st.status,
        standing: st.standing,
        statusLabel: STANDING_LABELS[lang][st.standing],
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

  async targetStatuses(id: string, q: TargetStatusesQueryDto, date: string, viewer: Viewer & { principal: Principal }, page: PageOf) {
    const { s, t, rows } = await this.readModel.read(async (g) => {
      const targets = await this.readModel.targets(g);
      const t = this.requireTarget({ targets }, id, 'id');
      const { s, visible } = await this.statusSnapshot(g, date, targets, [t], viewer.principal);
      return { s, t, rows: this.statusRows(s, t, q, visible, false, revealsContacts(viewer.principal), viewer.lang) };
    });
    const sorted = q.sort ? sortRows(rows, q.sort, STATUS_SORT, (r) => r.orgUnitCode) : rankWorstFirst(rows.map(ranked)).map((r) => r.row);
    const shown = paginate(sorted, page.limit, page.offset);
    await this.contacts.record(
      viewer,
      shown.items.map((r) => s.units.get(r.orgUnitCode)),
    );
    return { s, target: t, rows: sorted, page: shown };
  }

  /**
   * Units short of their targets (or, with status=no_data, not reporting), filtered by target, tree,
   * subtree, bloc, level, type and status; each target's units against its own threshold. Ordered by the
   * one ranking rule, worst first (rankWorstFirst), unless a sort is asked for.
   */
  laggardRows(s: Snapshot, q: LaggardsQueryDto, visible: Set<string> | null, reveal = false, lang: Lang = 'vi'): UnitStatusRow[] {
    const targets = (q.target ? [this.requireTarget(s, q.target)] : s.targets).filter((t) => !q.tree || t.tree === q.tree);
    const rows = targets.flatMap((t) => this.statusRows(s, t, q, visible, true, reveal, lang));
    if (q.sort) return sortRows(rows, q.sort, STATUS_SORT, (r) => `${r.orgUnitCode}\u0000${r.targetId}`);
    return rankWorstFirst(rows.map(ranked)).map((r) => r.row);
  }

  async laggards(q: LaggardsQueryDto, date: string, viewer: Viewer & { principal: Principal }, page: PageOf) {
    const out = await this.readModel.read(async (g) => {
      const targets = await this.readModel.targets(g);
      const chosen = (q.target ? [this.requireTarget({ targets }, q.target)] : targets).filter((t) => !q.tree || t.tree === q.tree);
      const { s, visible } = await this.statusSnapshot(g, date, targets, chosen, viewer.principal, q.within);
      return { s, rows: this.laggardRows(s, q, visible, revealsContacts(viewer.principal), viewer.lang) };
    });
    const shown = paginate(out.rows, page.limit, page.offset);
    await this.contacts.record(
      viewer,
      shown.items.map((r) => out.s.units.get(r.orgUnitCode)),
    );
    return { ...out, page: shown };
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
