import { Client } from 'pg';
import { COHORT, type Counts, type LoadLedger } from './load';

/** The figures line's numbers (besides requests and faults). */
export interface CheckResult {
  /** Accepted writes whose effect is missing or wrong in rates or compliance, plus aggregate cells short of the sum. */
  lost: number;
  /** Accepted writes applied more than once, plus aggregate cells above the sum. */
  doubled: number;
  /** Refused requests that left something behind. */
  refusedStored: number;
  /** Read-model rows that differ from a fresh rebuild (`npm run rebuild -- compliance`). */
  differing: number | null;
  /** Messages in the dead-letter stream. */
  deadLetters: number | null;
  /** The first few findings, for the log. */
  findings: string[];
}

const same = (a: Counts, b: Counts) =>
  a.headcount === b.headcount &&
  a.smartphoneHolders === b.smartphoneHolders &&
  a.installed === b.installed &&
  a.bluetoothOn === b.bluetoothOn;

interface FigureRow extends Counts {
  org_unit_code: string;
  date: string;
}

/** Rows `(unit, date)` → counts, from a figures table (latest stored row on or before a day is its value). */
function asOfLookup(rows: FigureRow[]): (unit: string, date: string) => Counts | null {
  const byUnit = new Map<string, FigureRow[]>();
  for (const r of rows) byUnit.set(r.org_unit_code, [...(byUnit.get(r.org_unit_code) ?? []), r]);
  return (unit, date) => {
    let best: FigureRow | null = null;
    for (const r of byUnit.get(unit) ?? []) if (r.date <= date && (!best || r.date > best.date)) best = r;
    return best;
  };
}

const FIGURE_SELECT = `SELECT org_unit_code, date::text AS date, headcount, smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn"`;
/** The same columns from what rates published (all it keeps of a figure: its payload on each day it changed). */
const PUBLISHED_FIGURE_SELECT = `SELECT org_unit_code, date::text AS date, (payload->>'headcount')::int AS headcount,
  (payload->>'smartphoneHolders')::int AS "smartphoneHolders", (payload->>'installed')::int AS installed, (payload->>'bluetoothOn')::int AS "bluetoothOn"`;

/**
 * Compares what the load sent with what rates and compliance hold, recomputed independently: each accepted
 * report is the own figure of its unit on its day (the latest report as of that day, docs/domain.md), each
 * district is the sum of its communes' latest reports, each broadcast, session and roster is its row in the read
 * model with the counts sent, and revision 1 (one application of one request). Refused requests left nothing.
 */
export async function checkFigures(databaseUrl: string, ledger: LoadLedger): Promise<Omit<CheckResult, 'differing' | 'deadLetters'>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const findings: string[] = [];
  let lost = 0;
  let doubled = 0;
  let refusedStored = 0;
  const note = (s: string) => {
    if (findings.length < 12) findings.push(s);
  };
  try {
    const [{ generation }] = (await db.query(`SELECT generation FROM compliance.projection_pointer`)).rows;
    const g = `compliance_g${generation}`;
    const ratesFigures = asOfLookup(
      (
        await db.query(`${PUBLISHED_FIGURE_SELECT} FROM rates.rates_published_figures WHERE cohort = $1 AND tree = 'administrative'`, [
          COHORT,
        ])
      ).rows,
    );
    const readFigures = asOfLookup(
      (await db.query(`${FIGURE_SELECT} FROM "${g}".figures WHERE cohort = $1 AND tree = 'administrative'`, [COHORT])).rows,
    );
    const workerRates = asOfLookup(
      (await db.query(`${PUBLISHED_FIGURE_SELECT} FROM rates.rates_published_figures WHERE cohort = 'enterprise_workers'`)).rows,
    );
    const workerRead = asOfLookup((await db.query(`${FIGURE_SELECT} FROM "${g}".figures WHERE cohort = 'enterprise_workers'`)).rows);

    // Reports: the read model's row, and both services' figure of the unit on the report's day.
    const stored = new Map<string, Counts & { revision: number }>();
    for (const r of (
      await db.query(
        `SELECT org_unit_code || '|' || cohort || '|' || as_of::text AS key, revision, headcount, smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn" FROM "${g}".reports`,
      )
    ).rows)
      stored.set(r.key, r);
    for (const [key, sent] of ledger.reports) {
      const [unit, , date] = key.split('|');
      const row = stored.get(key);
      const inRates = ratesFigures(unit, date);
      const inRead = readFigures(unit, date);
      if (!row || !same(row, sent) || !inRates || !same(inRates, sent) || !inRead || !same(inRead, sent)) {
        lost += 1;
        note(
          `report ${key} (request ${sent.requestId}): read model ${row ? row.installed : 'none'}, rates ${inRates?.installed ?? 'none'}, figure ${inRead?.installed ?? 'none'}, sent ${sent.installed}`,
        );
      } else if (row.revision !== 1) {
        doubled += 1;
        note(`report ${key} (request ${sent.requestId}) stored as revision ${row.revision}`);
      }
    }
    for (const key of ledger.refusedReports)
      if (stored.has(key)) {
        refusedStored += 1;
        note(`refused report ${key} is in the read model`);
      }

    // Districts: the sum of their communes' latest accepted reports on each day.
    const communesOf = new Map<string, string[]>();
    for (const [c, d] of ledger.districtOf) communesOf.set(d, [...(communesOf.get(d) ?? []), c]);
    const reportsOf = new Map<string, Array<[string, Counts]>>();
    for (const [key, counts] of ledger.reports) {
      const [unit, , date] = key.split('|');
      reportsOf.set(unit, [...(reportsOf.get(unit) ?? []), [date, counts]]);
    }
    for (const [district, communes] of communesOf) {
      for (const date of ledger.dates) {
        const sum: Counts = { headcount: 0, smartphoneHolders: 0, installed: 0, bluetoothOn: 0 };
        let any = false;
        for (const c of communes) {
          let best: [string, Counts] | null = null;
          for (const r of reportsOf.get(c) ?? []) if (r[0] <= date && (!best || r[0] > best[0])) best = r;
          if (!best) continue;
          any = true;
          for (const k of Object.keys(sum) as Array<keyof Counts>) sum[k] += best[1][k];
        }
        for (const [name, lookup] of [
          ['rates', ratesFigures],
          ['compliance', readFigures],
        ] as const) {
          const got = lookup(district, date);
          const installed = got?.installed ?? 0;
          if (!any && !got) continue;
          if (got && same(got, sum)) continue;
          if (installed > sum.installed) doubled += 1;
          else lost += 1;
          note(`district ${district} on ${date} in ${name}: installed ${installed}, sum of reports ${sum.installed}`);
        }
      }
    }

    // Broadcasts.
    const acts = new Map<string, { counts: Record<string, unknown>; revision: number }>();
    for (const r of (
      await db.query(
        `SELECT org_unit_code || '|' || kind || '|' || date::text AS key, counts, revision FROM "${g}".activities WHERE venue_type = ''`,
      )
    ).rows)
      acts.set(r.key, r);
    for (const [key, sent] of ledger.activities) {
      const row = acts.get(key);
      const ok = row && Object.entries(sent.counts).every(([k, v]) => JSON.stringify(row.counts[k]) === JSON.stringify(v));
      if (!ok) {
        lost += 1;
        note(`activity ${key} (request ${sent.requestId}): ${row ? JSON.stringify(row.counts) : 'missing'}`);
      } else if (row.revision !== 1) {
        doubled += 1;
        note(`activity ${key} stored as revision ${row.revision}`);
      }
    }
    for (const key of ledger.refusedActivities)
      if (acts.has(key)) {
        refusedStored += 1;
        note(`refused activity ${key} is in the read model`);
      }

    // Support sessions.
    const sessions = new Map<string, { assisted: number; installed: number; bluetooth_enabled: number; revision: number }>();
    for (const r of (
      await db.query(
        `SELECT point_id || '|' || date::text AS key, assisted, installed, bluetooth_enabled, revision FROM "${g}".support_sessions`,
      )
    ).rows)
      sessions.set(r.key, r);
    for (const [key, sent] of ledger.sessions) {
      const row = sessions.get(key);
      if (!row || row.assisted !== sent.assisted || row.installed !== sent.installed || row.bluetooth_enabled !== sent.bluetoothEnabled) {
        lost += 1;
        note(`session ${key} (request ${sent.requestId}): ${row ? row.assisted : 'missing'}`);
      } else if (row.revision !== 1) {
        doubled += 1;
        note(`session ${key} stored as revision ${row.revision}`);
      }
    }

    // Rosters: the import in the read model and the enterprise's figure in both services. A roster takes no
    // Idempotency-Key: a retry after a lost answer is a second import of the same file (revision ≤ attempts).
    const imports = new Map<string, Counts & { revision: number }>();
    for (const r of (
      await db.query(
        `SELECT enterprise_code || '|' || as_of::text AS key, revision, headcount, smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn" FROM "${g}".roster_imports`,
      )
    ).rows)
      imports.set(r.key, r);
    for (const [key, sent] of ledger.rosters) {
      const [code, date] = key.split('|');
      const row = imports.get(key);
      const a = workerRates(code, date);
      const b = workerRead(code, date);
      if (!row || !same(row, sent) || !a || !same(a, sent) || !b || !same(b, sent)) {
        lost += 1;
        note(
          `roster ${key} (request ${sent.requestId}): import ${row?.installed ?? 'missing'}, rates ${a?.installed ?? 'none'}, figure ${b?.installed ?? 'none'}, sent ${sent.installed}`,
        );
      } else if (row.revision > sent.attempts) {
        doubled += 1;
        note(`roster ${key} stored as revision ${row.revision} after ${sent.attempts} attempt(s)`);
      }
    }
  } finally {
    await db.end();
  }
  return { lost, doubled, refusedStored, findings };
}

/** Tables of a read-model generation, and rows differing between two generations (both directions). */
export async function compareGenerations(
  databaseUrl: string,
  a: number,
  b: number,
): Promise<{ differing: number; byTable: Record<string, number>; samples: string[] }> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const tables = (
      await db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> 'projection_checkpoint' ORDER BY 1`,
        [`compliance_g${b}`],
      )
    ).rows.map((r: { table_name: string }) => r.table_name);
    const byTable: Record<string, number> = {};
    const samples: string[] = [];
    let differing = 0;
    for (const t of tables) {
      const x = `"compliance_g${a}"."${t}"`;
      const y = `"compliance_g${b}"."${t}"`;
      const [{ n }] = (
        await db.query(
          `SELECT ((SELECT count(*) FROM (SELECT * FROM ${x} EXCEPT ALL SELECT * FROM ${y}) d) + (SELECT count(*) FROM (SELECT * FROM ${y} EXCEPT ALL SELECT * FROM ${x}) e))::int AS n`,
        )
      ).rows;
      byTable[t] = n;
      differing += n;
      if (n > 0 && samples.length < 6) {
        for (const [label, from, minus] of [
          [`live g${a} only`, x, y],
          [`rebuild g${b} only`, y, x],
        ])
          for (const row of (await db.query(`SELECT * FROM ${from} EXCEPT ALL SELECT * FROM ${minus} LIMIT 3`)).rows)
            samples.push(`${t} ${label}: ${JSON.stringify(row)}`);
      }
    }
    return { differing, byTable, samples };
  } finally {
    await db.end();
  }
}
