import { COHORTS, treeOfCohort } from '@app/contracts';
import { COHORT_LABELS, groupBy, parentOn, STANDING_LABELS, standingOf, targetName, type Lang } from '@app/domain';
import { rootUnit, standing } from '../analytics/analytics-rows';
import { toFigure } from '../common/figures';
import { figuresOf, type Snapshot } from '../common/read-model.service';
import { fmtInt, fmtPct, fmtPoints } from '../presentation/format';
import { REPORT_WORDS } from '../presentation/report-words';

/** The units whose value moved most, named in the section. */
export const LARGEST_MOVES = 10;

interface Move {
  targetId: string;
  targetName: string;
  /** The unit, and the unit it reports to on the target's tree (two wards of two towns can share a name). */
  unit: string;
  size: number;
  then: number;
  now: number;
}

/**
 * Section 9, what changed since the day before: the province's rates, how many units moved from one standing to
 * another, and the units whose value moved most, under the target they moved on (each target named once, however
 * many of its units are listed), each unit with the unit it reports to.
 */
export function changesSection(today: Snapshot, yesterday: Snapshot, lang: Lang): string[] {
  const w = REPORT_WORDS[lang];
  const out: string[] = [];
  const root = rootUnit(today);
  if (root) {
    for (const c of COHORTS) {
      const tree = treeOfCohort(c);
      const a = figuresOf(yesterday, root.code, c, tree)[0];
      const b = figuresOf(today, root.code, c, tree)[0];
      if (!b) continue;
      const fb = toFigure(b);
      const fa = a ? toFigure(a) : null;
      const rb = c === 'residents' ? fb.populationRate : fb.installRate;
      const ra = fa ? (c === 'residents' ? fa.populationRate : fa.installRate) : null;
      if (rb !== null && ra !== null && rb !== ra)
        out.push(w.rateChange(COHORT_LABELS[lang][c], fmtPct(lang, ra), fmtPct(lang, rb), fmtPoints(lang, rb - ra)));
    }
  }
  // Status movements counted (from → to), then the largest moves of value among the units whose status changed.
  const moves = new Map<string, number>();
  const largest: Move[] = [];
  for (const t of today.targets) {
    for (const [code, st] of today.statuses.get(t.targetId)?.entries() ?? []) {
      const prev = yesterday.statuses.get(t.targetId)?.get(code)?.status ?? null;
      if (st.date !== today.date || prev === st.status) continue;
      const a = prev ? STANDING_LABELS[lang][standingOf(t, prev, yesterday.date)] : '—';
      const b = STANDING_LABELS[lang][standingOf(t, st.status, today.date)];
      moves.set(`${a}\u0000${b}`, (moves.get(`${a}\u0000${b}`) ?? 0) + 1);
      const now = standing(today, t, code).value;
      const then = standing(yesterday, t, code).value;
      if (now === null || then === null) continue;
      const u = today.units.get(code);
      const parentCode = u ? parentOn(t.tree, u) : null;
      const parent = parentCode ? (today.units.get(parentCode)?.name ?? parentCode) : null;
      const name = u?.name ?? code;
      largest.push({
        targetId: t.targetId,
        targetName: targetName(t, lang),
        unit: parent ? w.unitOf(name, parent) : name,
        size: Math.abs(now - then),
        then,
        now,
      });
    }
  }
  if (moves.size) {
    const total = [...moves.values()].reduce((a, b) => a + b, 0);
    out.push(w.movements(fmtInt(lang, total)));
    for (const [k, n] of [...moves].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))) {
      const [a, b] = k.split('\u0000');
      out.push(w.movement(a, b, fmtInt(lang, n)));
    }
  }
  if (largest.length) {
    out.push(w.largest);
    const shown = largest.sort((x, y) => y.size - x.size || (x.unit < y.unit ? -1 : x.unit > y.unit ? 1 : 0)).slice(0, LARGEST_MOVES);
    // Targets in the order of their largest move; a target's units largest first.
    for (const moved of groupBy(shown, (m) => m.targetId).values()) {
      out.push(w.largestTarget(moved[0].targetName));
      for (const m of moved) out.push(w.largestLine(m.unit, fmtPct(lang, m.then), fmtPct(lang, m.now), fmtPoints(lang, m.now - m.then)));
    }
  }
  return out.length ? out : [w.noChange];
}
