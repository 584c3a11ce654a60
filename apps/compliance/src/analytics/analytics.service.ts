import { Injectable } from '@nestjs/common';
import { COHORTS_BY_UNIT_TYPE, treeOfCohort, type Bloc, type Cohort, type Tree, type UnitType } from '@app/contracts';
import {
  addDays,
  parentOn,
  rankWorstFirst,
  STANDING_LABELS,
  statusesOfStanding,
  statusSeverity,
  tallyStatuses,
  targetName,
  UNIT_TYPE_LABELS,
  type Lang,
  type Standing,
  type StatusGroup,
} from '@app/domain';
import { CampaignCalendar, ProblemException, type Principal } from '@app/platform';
import { ContactAccessService, headOf, revealsContacts, type Viewer } from '../common/contacts';
import { notBeforeFirstDay, toFigure, type Figure } from '../common/figures';
import { paginate, sortRows, type Page } from '../common/listing';
import { jsonOnce } from '../common/respond';
import {
  assembleSnapshot,
  childrenOf,
  figuresOf,
  ReadModelService,
  subtreeCodes,
  type Generation,
  type Snapshot,
  type TargetRow,
  type UnitRow,
} from '../common/read-model.service';
import { countsByTarget, summaryQuery, type SummaryData } from './reads/summary.read';
import { statusesQuery, type StatusesData } from './reads/statuses.read';
import { readTimeseries } from './reads/timeseries.read';
import { unitQuery, type UnitData } from './reads/unit.read';
import { UNIT_SORT_SQL, UnitPages, type UnitsFilter } from './reads/units.read';
import type { LaggardsQueryDto, TargetStatusesQueryDto, TimeseriesQueryDto, UnitsQueryDto } from './dto/analytics-query.dto';

import {
  groupsOf,
  ranked,
  refOf,
  rootUnit,
  standing,
  STATUS_SORT,
  type PageOf,
  type TargetSummary,
  type UnitListRow,
  type UnitStatusRow,
} from './analytics-rows';

/** A page of units (AnalyticsService.units), as kept per read-model version. */
export interface UnitsAnswer {
  asOfEvent: string | null;
  page: Page<UnitListRow>;
  /** The units of the page, whose heads' contacts the reader is shown (recorded on each read). */
  shown: UnitRow[];
  /** `{ date, asOfEvent, ...page }` as JSON, serialised on first use. */
  json: () => Buffer;
  /** The rows it holds (ReadModelService.keep's bound). */
  weight: number;
}

@Injectable()
export class AnalyticsService {
  private readonly unitPages: UnitPages;

  constructor(
    private readonly readModel: ReadModelService,
    private readonly calendar: CampaignCalendar,
    private readonly contacts: ContactAccessService,
  ) {
    this.unitPages = new UnitPages(readModel);
  }

  /**
   * The day a view opens on when none is asked for: the latest campaign day on which something was
   * reported, never a later day that only a lapsing window or a passing deadline made; today before any report.
   */
  async defaultDay(): Promise<string> {
    const today = this.calendar.today();
    const { data } = await this.readModel.readOne<string | null>(
      (schema) =>
        `SELECT greatest((SELECT max(as_of) FROM "${schema}".reports WHERE as_of <= $1),
                         (SELECT max(as_of) FROM "${schema}".roster_imports WHERE as_of <= $1))::text`,
      [today],
    );
    return data ?? today;
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
   * Each target on the province. A miss is one statement (summary.read.ts): the province's own rows through the
   * primary keys and the units by status from the per-day counts the projection keeps. The answer depends only on
   * the read model, the date and the language, so it is also kept per read-model version (ReadModelService.keep:
   * the version from memory, or one short statement while changes may go unheard): identical requests between
   * two applied batches share one computation, and any applied batch or generation switch changes the version.
   */
  async summary(date: string, lang: Lang = 'vi'): Promise<{ date: string; asOfEvent: string | null; targets: TargetSummary[] }> {
    const { asOfEvent, targets } = await this.readModel.keep(
      `summary ${date} ${lang}`,
      () => this.computeSummary(date, lang),
      (a) => 1 + a.targets.length,
    );
    return { date, asOfEvent, targets };
  }

  private async computeSummary(date: string, lang: Lang): Promise<{ asOfEvent: string | null; targets: TargetSummary[] }> {
    const q = summaryQuery(date);
    const { asOfEvent, data } = await this.readModel.readOne<SummaryData>(q.data, q.params);
    const s = assembleSnapshot(date, asOfEvent, data.root, data.figures, data.statuses, data.targets);
    return { asOfEvent, targets: this.summarize(s, countsByTarget(data.counts), lang) };
  }

  /** A unit's page: its figures, standings, head, parents and children; heads' contacts as `viewer` may read them (recorded). */
  async unit(code: string, date: string, historyDays: number, viewer: Viewer) {
    const reveal = revealsContacts(viewer.principal);
    const read = unitQuery(code, date, notBeforeFirstDay(addDays(date, -historyDays)));
    const { asOfEvent, data } = await this.readModel.readOne<UnitData>(read.data, read.params);
    const found = data.unit;
    if (!found)
      throw new ProblemException(404, `unknown org unit ${code}`, [{ field: 'code', message: `code ${code} is not a known unit` }]);
    const { targets, parents, children, history } = data;
    const s = assembleSnapshot(date, asOfEvent, [found, ...parents, ...children], data.figures, data.statuses, targets);
    const u = found;
    const figures = figuresOf(s, code).map(toFigure);
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
    const shown = [...s.units.values()];
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
      if (q.parent && parentOn(tree, u) !== q.parent) continue;
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
   * indexes; a portal key's scope walked down from its unit), with figures and statuses of those units
   * only: one statement (units.read.ts). The page is kept per read-model version (ReadModelService.keep),
   * and with it its JSON, serialised once: the children of a district read again and again between two
   * applied batches cost one statement, one standing per unit and one serialisation. Whose contacts were
   * shown is recorded on every read, kept or not.
   */
  async units(q: UnitsQueryDto, date: string, viewer: Viewer & { principal: Principal }, page: PageOf): Promise<UnitsAnswer> {
    const p = viewer.principal;
    const cohort: Cohort = q.cohort ?? (q.type ? COHORTS_BY_UNIT_TYPE[q.type][0] : 'residents');
    const tree: Tree = q.tree ?? treeOfCohort(cohort);
    // A portal key without a unit reads nothing: its scope is rooted at a code no unit has.
    const scopeRoot = this.readsAll(p) ? null : (p.orgUnitCode ?? '');
    // Sorted and paged in the database unless the order or the filter needs the domain's standing of each unit.
    const key = q.sort?.replace(/^-/, '');
    const inDb = !q.status && (key === undefined || Object.prototype.hasOwnProperty.call(UNIT_SORT_SQL, key));
    const filter: UnitsFilter = {
      date,
      cohort,
      tree,
      target: q.target,
      type: q.type,
      level: q.level,
      scopeRoot,
      ...(inDb ? { page: { sort: q.sort, limit: page.limit, offset: page.offset } } : {}),
    };
    const reveal = revealsContacts(p);
    // Everything the page depends on but the read model: the statement's filter, what is filtered and
    // sorted here, the page, and whether heads' contacts are shown in full.
    const answer = await this.readModel.keep(
      `units ${JSON.stringify([filter, q.parent, q.status, q.sort, page.limit, page.offset, reveal])}`,
      () => this.computeUnits(q, filter, inDb, page, reveal),
      (a) => a.weight,
    );
    await this.contacts.record(viewer, answer.shown);
    return answer;
  }

  private async computeUnits(q: UnitsQueryDto, filter: UnitsFilter, inDb: boolean, page: PageOf, reveal: boolean): Promise<UnitsAnswer> {
    const { asOfEvent, targets, page: data } = await this.unitPages.read(filter, q.parent);
    if (q.parent && !data.parent)
      throw new ProblemException(404, `unknown org unit ${q.parent}`, [
        { field: 'parent', message: `parent ${q.parent} is not a known unit` },
      ]);
    if (q.target) this.requireTarget({ targets }, q.target);
    const s = assembleSnapshot(
      filter.date,
      asOfEvent,
      data.parent ? [...data.units, data.parent] : data.units,
      data.figures,
      data.statuses,
      targets,
    );
    const rows = this.unitRows(s, q, null, data.units, reveal);
    const shown = inDb
      ? { total: data.total ?? 0, limit: page.limit, offset: page.offset, items: rows }
      : paginate(rows, page.limit, page.offset);
    return {
      asOfEvent,
      page: shown,
      shown: shown.items.map((r) => s.units.get(r.code)!),
      json: jsonOnce({ date: filter.date, asOfEvent, ...shown }),
      weight: 1 + targets.length + data.units.length + data.figures.length + data.statuses.length + shown.items.length,
    };
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
   * What statusRows needs for some targets (one, or all of a tree, or all): every unit with a status for
   * them (in the key's scope and, when asked, within one unit's subtree), those units, their parents on
   * both trees, and their figures; nothing else of the registry, in one statement (statuses.read.ts).
   * Unknown target (404, `targetField`), then unknown `within` (404).
   */
  private async statusSnapshot(
    date: string,
    p: Principal,
    want: { target?: string; tree?: Tree; within?: string; targetField?: string },
  ): Promise<{ s: Snapshot; visible: Set<string> | null }> {
    // A portal key without a unit reads nothing: its scope is rooted at a code no unit has.
    const scopeRoot = this.readsAll(p) ? null : (p.orgUnitCode ?? '');
    const read = statusesQuery({ date, target: want.target, tree: want.tree, within: want.within, scopeRoot });
    const { asOfEvent, data } = await this.readModel.readOne<StatusesData>(read.data, read.params);
    if (want.target) this.requireTarget(data, want.target, want.targetField);
    if (!data.withinKnown)
      throw new ProblemException(404, `unknown org unit ${want.within}`, [
        { field: 'within', message: `within ${want.within} is not a known unit` },
      ]);
    const s = assembleSnapshot(date, asOfEvent, [...data.units, ...data.parents], data.figures, data.statuses, data.targets);
    // The parents are in the snapshot only to be named; a portal key reads the units of its scope only.
    const scoped = scopeRoot !== null || want.within !== undefined;
    return { s, visible: scoped ? new Set(data.units.map((u) => u.code)) : null };
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
      const parentCode = parentOn(t.tree, u);
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
    const { s, visible } = await this.statusSnapshot(date, viewer.principal, { target: id, targetField: 'id' });
    const t = this.requireTarget(s, id, 'id');
    const rows = this.statusRows(s, t, q, visible, false, revealsContacts(viewer.principal), viewer.lang);
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
    const p = viewer.principal;
    const { s, visible } = await this.statusSnapshot(date, p, { target: q.target, tree: q.tree, within: q.within });
    const out = { s, rows: this.laggardRows(s, q, visible, revealsContacts(p), viewer.lang) };
    const shown = paginate(out.rows, page.limit, page.offset);
    await this.contacts.record(
      viewer,
      shown.items.map((r) => out.s.units.get(r.orgUnitCode)),
    );
    return { ...out, page: shown };
  }

  /**
   * One figure per day and (cohort, tree): the figure holding that day (a figure holds until the next),
   * sorted by `q.sort` and cut to `page` (absent: every row) in the database.
   */
  async timeseries(
    q: TimeseriesQueryDto,
    to: string,
    from: string,
    page?: PageOf,
  ): Promise<{ asOfEvent: string | null; rows: Figure[]; total: number }> {
    return readTimeseries(this.readModel, q, to, from, page);
  }

  paged<T>(rows: T[], limit: number, offset: number): Page<T> {
    return paginate(rows, limit, offset);
  }
}
