import type { ActivityKind, Cohort, UnitType } from '@app/contracts';
import { addDays, dateRange } from '@app/domain';
import { Prng } from './prng';

/** The reference world the scenario runs on: what the registry holds after set-up. */
export interface World {
  province: string;
  provincePopulation: number;
  districts: Array<{ code: string; name: string }>;
  communes: Array<{ code: string; name: string; districtCode: string }>;
  /** Departments, boards and mass organisations that report staff (and members, for mass organisations). */
  agencies: Array<{ code: string; name: string; type: UnitType; memberCohort?: Cohort }>;
  /** Economic zone and industrial parks enterprises answer to. */
  zones: Array<{ code: string; name: string }>;
  transportDepartment: string;
  educationDepartment: string;
  /** The Economic Zone Management Board, whose key uploads rosters. */
  ezBoard?: string;
  operators: Array<{ code: string; type: 'telecom' | 'post_office' }>;
}

export interface ScenarioOptions {
  seed: number;
  from: string;
  to: string;
  /** The day the resident rate is pinned to `residentRateOnPin` (the directive's 19/08 figure). */
  pinDay: string;
  residentRateOnPin: number;
  directiveDay: string;
  enterprisesPerZone: number;
  workersPerEnterprise: number;
  schools: number;
  transportHubs: number;
  /** Share of reporting units that stay below 100% on the last day. */
  shortfallShare: number;
}

export const DEFAULT_OPTIONS: ScenarioOptions = {
  seed: 20200821,
  from: '2020-08-04',
  to: '2020-08-30',
  pinDay: '2020-08-19',
  residentRateOnPin: 0.0678,
  directiveDay: '2020-08-21',
  enterprisesPerZone: 3,
  workersPerEnterprise: 120,
  schools: 6,
  transportHubs: 3,
  shortfallShare: 0.08,
};

export interface Counts {
  headcount: number;
  smartphoneHolders: number;
  installed: number;
  bluetoothOn: number;
}

export interface ReportBody extends Counts {
  orgUnitCode: string;
  cohort: Cohort;
  asOf: string;
}

export type Channel = 'single' | 'batch' | 'csv';

/** Something the simulator sends on a given day. */
export type Action =
  | { kind: 'report'; day: string; body: ReportBody; channel: Channel; note?: 'late' | 'correction' | 'duplicate' | 'superseded' }
  | { kind: 'roster'; day: string; enterpriseCode: string; asOf: string; format: 'csv' | 'xlsx'; workers: WorkerRow[] }
  | { kind: 'activity'; day: string; body: { orgUnitCode: string; kind: ActivityKind; date: string } & Record<string, unknown> }
  | { kind: 'open-point'; day: string; id: string; operator: string; communeCode: string; address: string; openedOn: string }
  | {
      kind: 'session';
      day: string;
      pointId: string;
      operator: string;
      body: { date: string; assisted: number; installed: number; bluetoothEnabled: number };
    }
  | {
      kind: 'transport';
      day: string;
      hubCode: string;
      body: { date: string; passengersChecked: number; alreadyInstalled: number; installedOnSite: number; refused: number };
    };

export interface WorkerRow {
  employeeId: string;
  fullName: string;
  phone: string;
  hasSmartphone: boolean;
  installed: boolean;
  bluetoothOn: boolean;
}

/** Units the simulator registers itself (schools, enterprises, transport hubs). */
export interface CreatedUnit {
  code: string;
  name: string;
  type: UnitType;
  adminParentCode: string | null;
  accountableToCode: string;
}

export interface Scenario {
  options: ScenarioOptions;
  created: CreatedUnit[];
  /** Residents denominators per commune (they sum to the province's). */
  communePopulation: Map<string, number>;
  actions: Action[];
  /** Units planned to stay below 100% on the last day (their own reports). */
  shortfall: Set<string>;
  /** Communes whose broadcasts miss an end announcement on some days. */
  missingEndAnnouncement: Map<string, string[]>;
}

function splitPopulation(total: number, n: number, rng: Prng): number[] {
  const weights = Array.from({ length: n }, () => rng.between(0.5, 1.5));
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.floor((w / sum) * total));
  parts[0] += total - parts.reduce((a, b) => a + b, 0);
  return parts;
}

/** A rate that climbs from `start` to `end` over the days, smoothly, per unit. */
function climb(start: number, end: number, i: number, n: number): number {
  if (n <= 1) return end;
  const t = i / (n - 1);
  return start + (end - start) * (1 - (1 - t) * (1 - t));
}

function countsFor(headcount: number, smartphoneShare: number, installRate: number, bluetoothShare: number): Counts {
  const smartphoneHolders = Math.round(headcount * smartphoneShare);
  const installed = Math.min(smartphoneHolders, Math.round(smartphoneHolders * installRate));
  const bluetoothOn = Math.min(installed, Math.round(installed * bluetoothShare));
  return { headcount, smartphoneHolders, installed, bluetoothOn };
}

/**
 * Builds the whole campaign, deterministically from the seed: resident reports that put the
 * province at the directive's 6.78% on 19/08, members and workers climbing to 100% after 21/08
 * with some units falling short, and the activity the directive asks for — plus late reports,
 * corrections and duplicate submissions, as real portals send them.
 */
export function buildScenario(world: World, opts: ScenarioOptions = DEFAULT_OPTIONS): Scenario {
  const rng = new Prng(opts.seed);
  const actions: Action[] = [];
  const created: CreatedUnit[] = [];
  const shortfall = new Set<string>();
  const days = dateRange(opts.from, opts.to);
  const afterDirective = days.filter((d) => d >= opts.directiveDay);

  // --- residents on the administrative tree -------------------------------------------------------
  const r = rng.fork('residents');
  const pops = splitPopulation(world.provincePopulation, world.communes.length, r);
  const communePopulation = new Map(world.communes.map((c, i) => [c.code, pops[i]]));
  const residentDays = days.filter((_, i) => i % 3 === 0 || days[i] === opts.pinDay || days[i] >= opts.directiveDay);
  if (!residentDays.includes(opts.pinDay)) residentDays.push(opts.pinDay);
  residentDays.sort();
  const pinTotal = Math.round(world.provincePopulation * opts.residentRateOnPin);
  // Each commune's share of installs on the pin day, then scaled so the province sums to the pin exactly.
  const shares = world.communes.map(() => r.between(0.6, 1.4));
  const shareSum = world.communes.reduce((a, c, i) => a + shares[i] * communePopulation.get(c.code)!, 0);
  const pinInstalled = world.communes.map((c, i) => Math.floor((shares[i] * communePopulation.get(c.code)! * pinTotal) / shareSum));
  pinInstalled[0] += pinTotal - pinInstalled.reduce((a, b) => a + b, 0);
  const pinIndex = residentDays.indexOf(opts.pinDay);
  world.communes.forEach((c, ci) => {
    const pop = communePopulation.get(c.code)!;
    const smartphones = Math.round(pop * 0.62);
    // After the directive each commune climbs to a few times its 19/08 figure, steadily.
    const growth = r.between(3, 5);
    residentDays.forEach((day, di) => {
      let installed: number;
      if (di <= pinIndex) installed = Math.round(pinInstalled[ci] * climb(0.25, 1, di, pinIndex + 1));
      else installed = Math.round(pinInstalled[ci] * climb(1, growth, di - pinIndex, residentDays.length - pinIndex));
      if (day === opts.pinDay) installed = pinInstalled[ci];
      installed = Math.min(installed, smartphones);
      const body: ReportBody = {
        orgUnitCode: c.code,
        cohort: 'residents',
        asOf: day,
        headcount: pop,
        smartphoneHolders: smartphones,
        installed,
        bluetoothOn: Math.round(installed * 0.8),
      };
      const channel: Channel = ci % 3 === 0 ? 'csv' : ci % 3 === 1 ? 'batch' : 'single';
      const roll = r.next();
      if (roll < 0.05 && di > 0) {
        // A late report: the commune sends its figure three days after the date it is for.
        actions.push({
          kind: 'report',
          day: addDays(day, 3) <= opts.to ? addDays(day, 3) : opts.to,
          body,
          channel: 'single',
          note: 'late',
        });
      } else if (roll < 0.1) {
        // A wrong figure, corrected the same day: the correction (a later revision) supersedes.
        actions.push({
          kind: 'report',
          day,
          body: { ...body, installed: Math.max(0, installed - 37), bluetoothOn: Math.max(0, Math.round(installed * 0.8) - 37) },
          channel: 'single',
          note: 'superseded',
        });
        actions.push({ kind: 'report', day, body, channel: 'single', note: 'correction' });
      } else if (roll < 0.15) {
        actions.push({ kind: 'report', day, body, channel });
        actions.push({ kind: 'report', day, body, channel: 'single', note: 'duplicate' });
      } else actions.push({ kind: 'report', day, body, channel });
    });
  });

  // --- members and staff on the accountability tree -------------------------------------------------
  const m = rng.fork('members');
  const reportDays = afterDirective.filter((_, i) => i % 2 === 0 || afterDirective[i] === opts.to);
  const memberUnits: Array<{ code: string; cohort: Cohort; headcount: number }> = [];
  for (const a of world.agencies) {
    memberUnits.push({ code: a.code, cohort: 'staff', headcount: m.int(25, 400) });
    if (a.memberCohort) memberUnits.push({ code: a.code, cohort: a.memberCohort, headcount: m.int(800, 6000) });
  }
  for (const d of world.districts) memberUnits.push({ code: d.code, cohort: 'staff', headcount: m.int(60, 300) });
  for (const c of world.communes) memberUnits.push({ code: c.code, cohort: 'staff', headcount: m.int(12, 40) });
  for (let i = 0; i < opts.schools; i++) {
    const code = `TH-${String(i + 1).padStart(2, '0')}`;
    const commune = world.communes[(i * 17) % world.communes.length];
    created.push({
      code,
      name: `Trường THPT số ${i + 1}`,
      type: 'school',
      adminParentCode: commune.code,
      accountableToCode: world.educationDepartment,
    });
    memberUnits.push({ code, cohort: 'staff', headcount: m.int(40, 90) });
    memberUnits.push({ code, cohort: 'students', headcount: m.int(600, 1500) });
  }
  const reportingCodes = [...new Set(memberUnits.map((u) => u.code))].sort();
  const shortCount = Math.max(1, Math.round(reportingCodes.length * opts.shortfallShare));
  for (const code of m.shuffle([...reportingCodes]).slice(0, shortCount)) shortfall.add(code);
  for (const u of memberUnits) {
    const finalRate = shortfall.has(u.code) ? m.between(0.82, 0.97) : 1;
    const smartShare = u.cohort === 'students' ? 0.7 : 0.93;
    reportDays.forEach((day, di) => {
      const rate = climb(m.between(0.25, 0.45), finalRate, di, reportDays.length);
      const counts = countsFor(u.headcount, smartShare, day === opts.to ? finalRate : rate, 1);
      if (day === opts.to && finalRate === 1) counts.bluetoothOn = counts.installed = counts.smartphoneHolders;
      if (day === opts.to && finalRate < 1 && counts.bluetoothOn === counts.smartphoneHolders) counts.bluetoothOn -= 1;
      actions.push({
        kind: 'report',
        day,
        body: { orgUnitCode: u.code, cohort: u.cohort, asOf: day, ...counts },
        channel: di % 2 ? 'batch' : 'single',
      });
    });
  }

  // --- enterprise workers: rosters uploaded by the EZ board ----------------------------------------
  const e = rng.fork('enterprises');
  const rosterDays = [afterDirective[1] ?? opts.directiveDay, afterDirective[Math.floor(afterDirective.length / 2)] ?? opts.to, opts.to];
  let workerSeq = 0;
  world.zones.forEach((z, zi) => {
    for (let k = 0; k < opts.enterprisesPerZone; k++) {
      const code = `DN-${zi + 1}-${k + 1}`;
      created.push({
        code,
        name: `Công ty TNHH Sản xuất ${zi + 1}.${k + 1}`,
        type: 'enterprise',
        adminParentCode: null,
        accountableToCode: z.code,
      });
      const short = e.chance(0.25);
      if (short) shortfall.add(code);
      const workers: Array<{ id: string; name: string; phone: string; smart: boolean }> = [];
      for (let w = 0; w < opts.workersPerEnterprise; w++) {
        workerSeq += 1;
        workers.push({
          id: `NV${String(workerSeq).padStart(6, '0')}`,
          name: `Nguyễn Văn ${workerSeq}`,
          phone: `09${String(10000000 + workerSeq * 7919).slice(-8)}`,
          smart: e.chance(0.9),
        });
      }
      if (!workers.some((w) => w.smart)) workers[0].smart = true;
      rosterDays.forEach((day, ri) => {
        const last = ri === rosterDays.length - 1;
        const installShare = last ? (short ? 0.85 : 1) : 0.4 + 0.25 * ri;
        // A worker who joined later, one who left: the diff shows them.
        const present = workers.filter((_, wi) => !(ri === 0 && wi === workers.length - 1) && !(last && wi === 0 && workers.length > 2));
        let forcedShort = !short || !last;
        const rows: WorkerRow[] = present.map((w) => {
          let installed = w.smart && (last && !short ? true : e.chance(installShare));
          if (!forcedShort && w.smart && installed) {
            installed = false; // make sure a short enterprise really is short
            forcedShort = true;
          }
          const bluetoothOn = installed && (last && !short ? true : e.chance(0.9));
          return { employeeId: w.id, fullName: w.name, phone: w.phone, hasSmartphone: w.smart, installed, bluetoothOn };
        });
        actions.push({ kind: 'roster', day, enterpriseCode: code, asOf: day, format: (zi + k + ri) % 2 ? 'xlsx' : 'csv', workers: rows });
      });
    }
  });

  // --- support points, broadcasts, door to door, transport ---------------------------------------
  const s = rng.fork('support');
  const withPoint = world.communes.filter(() => s.chance(0.9));
  withPoint.forEach((c, i) => {
    const op = world.operators[i % world.operators.length];
    const id = `SP-${c.code}-${op.code}`.slice(0, 64);
    const openedOn = s.pick(days.filter((d) => d >= '2020-08-10' && d <= opts.directiveDay));
    actions.push({
      kind: 'open-point',
      day: openedOn,
      id,
      operator: op.code,
      communeCode: c.code,
      address: `Trụ sở UBND ${c.name}`,
      openedOn,
    });
    for (const day of days.filter((d) => d >= openedOn)) {
      const assisted = s.int(5, 60);
      const installed = s.int(Math.floor(assisted / 2), assisted);
      actions.push({
        kind: 'session',
        day,
        pointId: id,
        operator: op.code,
        body: { date: day, assisted, installed, bluetoothEnabled: s.int(Math.floor(installed * 0.7), installed) },
      });
    }
  });
  const b = rng.fork('broadcasts');
  const missingEndAnnouncement = new Map<string, string[]>();
  const missing = new Set(
    b
      .shuffle([...world.communes])
      .slice(0, 4)
      .map((c) => c.code),
  );
  for (const c of world.communes) {
    for (const day of afterDirective) {
      const aired = b.int(2, 3);
      const missEnd = missing.has(c.code) && b.chance(0.5);
      if (missEnd) missingEndAnnouncement.set(c.code, [...(missingEndAnnouncement.get(c.code) ?? []), day]);
      actions.push({
        kind: 'activity',
        day,
        body: {
          orgUnitCode: c.code,
          kind: 'broadcast',
          date: day,
          sessionsAired: aired,
          sessionsWithStartAnnouncement: aired,
          sessionsWithEndAnnouncement: missEnd ? aired - 1 : aired,
          supportLocationsAnnounced: true,
        },
      });
      if (b.chance(0.6)) {
        const visited = b.int(20, 120);
        actions.push({
          kind: 'activity',
          day,
          body: {
            orgUnitCode: c.code,
            kind: 'door_to_door',
            date: day,
            householdsVisited: visited,
            householdsReminded: b.int(Math.floor(visited / 2), visited),
          },
        });
      }
    }
  }
  for (const a of world.agencies) {
    for (const day of afterDirective.filter((_, i) => i % 3 === 0)) {
      const visitors = b.int(10, 80);
      const already = b.int(0, visitors);
      const onSite = b.int(0, visitors - already);
      actions.push({
        kind: 'activity',
        day,
        body: {
          orgUnitCode: a.code,
          kind: 'hq_visitor_check',
          date: day,
          visitors,
          alreadyInstalled: already,
          installedOnSite: onSite,
          turnedAway: visitors - already - onSite,
        },
      });
    }
    if (a.memberCohort === 'youth_members') {
      actions.push({
        kind: 'activity',
        day: opts.directiveDay,
        body: {
          orgUnitCode: a.code,
          kind: 'propaganda_team',
          date: opts.directiveDay,
          teamsFormed: world.communes.length,
          members: world.communes.length * 5,
        },
      });
    }
  }
  const t = rng.fork('transport');
  const hubNames = ['Bến xe khách Trà Vinh', 'Bến phà Cầu Quan', 'Bến xe Duyên Hải', 'Bến phà Đại Ngãi', 'Bến xe Tiểu Cần'];
  for (let i = 0; i < opts.transportHubs; i++) {
    const code = `BX-${String(i + 1).padStart(2, '0')}`;
    created.push({
      code,
      name: hubNames[i % hubNames.length],
      type: 'transport_hub',
      adminParentCode: world.communes[(i * 31) % world.communes.length].code,
      accountableToCode: world.transportDepartment,
    });
    for (const day of afterDirective) {
      const checked = t.int(100, 900);
      const already = t.int(Math.floor(checked * 0.3), Math.floor(checked * 0.8));
      const onSite = t.int(0, checked - already);
      actions.push({
        kind: 'transport',
        day,
        hubCode: code,
        body: {
          date: day,
          passengersChecked: checked,
          alreadyInstalled: already,
          installedOnSite: onSite,
          refused: t.int(0, checked - already - onSite),
        },
      });
    }
  }

  // Stable order: by day, then as generated (a late report stays after the reports of its send day).
  const order = new Map(actions.map((a, i) => [a, i]));
  actions.sort((x, y) => (x.day < y.day ? -1 : x.day > y.day ? 1 : order.get(x)! - order.get(y)!));
  return { options: opts, created, communePopulation, actions, shortfall, missingEndAnnouncement };
}
