import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Cohort, UnitType } from '@app/contracts';
import { Client, pool, type ServiceUrls } from './client';
import type { TreeLinks } from './expect';
import { Progress } from './progress';
import type { Action, ReportBody, Scenario, World, WorkerRow } from './scenario';

export interface UnitInfo {
  code: string;
  name: string;
  type: UnitType;
  adminParentCode: string | null;
  accountableToCode: string | null;
  head?: { name: string; title: string; phone?: string | null } | null;
}

interface Page<T> {
  items: T[];
  total: number;
}

export interface Keys {
  admin: string;
  byUnit: Map<string, string>;
  ezBoard: string;
  transport: string;
  operators: Map<string, string>;
}

export interface SendStats {
  requests: number;
  reports: number;
  rosters: number;
  activities: number;
  sessions: number;
  transportChecks: number;
  points: number;
}

const PROVINCE = '84';

export function repoRoot(): string {
  // Works from tools/simulator/src (ts) and dist/tools/simulator/src (js).
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      readFileSync(join(dir, 'package.json'));
      return dir;
    } catch {
      dir = join(dir, '..');
    }
  }
  return process.cwd();
}

export class SimulatorRunner {
  readonly client = new Client();
  readonly stats: SendStats = { requests: 0, reports: 0, rosters: 0, activities: 0, sessions: 0, transportChecks: 0, points: 0 };

  constructor(
    readonly urls: ServiceUrls,
    readonly adminKey: string,
    readonly concurrency = 8,
    readonly quiet = false,
  ) {}

  private log(msg: string): void {
    if (!this.quiet) process.stderr.write(`${msg}\n`);
  }

  async listUnits(type: UnitType): Promise<UnitInfo[]> {
    const out: UnitInfo[] = [];
    for (let offset = 0; ; offset += 500) {
      const res = await this.client.request<Page<UnitInfo>>(
        'GET',
        `${this.urls.registry}/v1/org-units?type=${type}&limit=500&offset=${offset}`,
        { key: this.adminKey },
      );
      out.push(...res.body.items);
      if (res.body.items.length < 500) return out;
    }
  }

  /** Loads the Trà Vinh units through the registry API unless the registry has them already. */
  async ensureReferenceData(): Promise<void> {
    const probe = await this.client.request('GET', `${this.urls.registry}/v1/org-units/${PROVINCE}`, { key: this.adminKey, accept: [404] });
    if (probe.status === 404) {
      this.log('loading the Trà Vinh units into the registry');
      const csv = readFileSync(join(repoRoot(), 'data', 'tra-vinh-units.csv'), 'utf8');
      await this.client.request('POST', `${this.urls.registry}/v1/org-units/import`, {
        key: this.adminKey,
        raw: csv,
        contentType: 'text/csv',
      });
      await this.client.request('PUT', `${this.urls.registry}/v1/org-units/${PROVINCE}/cohorts/residents`, {
        key: this.adminKey,
        body: { headcount: 1009168, asOf: '2019-04-01' },
      });
    }
  }

  async discoverWorld(): Promise<World> {
    const [districts, communes, departments, massOrgs, zones, parks, telecoms, posts] = await Promise.all(
      (['district', 'commune', 'department', 'mass_org', 'economic_zone', 'industrial_park', 'telecom', 'post_office'] as UnitType[]).map(
        (t) => this.listUnits(t),
      ),
    );
    const dot = departments.find((d) => /giao thông/i.test(d.name));
    if (!dot)
      throw new Error('the registry has no Department of Transport (a department named "... Giao thông ..."); run the Trà Vinh seed first');
    let edu = departments.find((d) => /giáo dục/i.test(d.name));
    if (!edu) {
      edu = { code: 'SO-GDDT', name: 'Sở Giáo dục và Đào tạo', type: 'department', adminParentCode: null, accountableToCode: PROVINCE };
      await this.client.request('PUT', `${this.urls.registry}/v1/org-units/${edu.code}`, {
        key: this.adminKey,
        body: {
          name: edu.name,
          type: 'department',
          bloc: 'state',
          accountableToCode: PROVINCE,
          head: { name: 'Giám đốc Sở', title: 'Giám đốc', ...simulatedContacts('SO-GDDT') },
        },
      });
      departments.push(edu);
    }
    const memberCohort = (name: string): Cohort | undefined =>
      /thanh niên|đoàn tncs|tỉnh đoàn/i.test(name) ? 'youth_members' : /hội|liên đoàn/i.test(name) ? 'association_members' : undefined;
    return {
      province: PROVINCE,
      provincePopulation: 1009168,
      districts: districts.map((d) => ({ code: d.code, name: d.name })),
      communes: communes.map((c) => ({ code: c.code, name: c.name, districtCode: c.adminParentCode! })),
      agencies: [
        ...departments.filter((d) => d.code !== edu.code).map((d) => ({ code: d.code, name: d.name, type: d.type })),
        ...massOrgs.map((d) => ({ code: d.code, name: d.name, type: d.type, memberCohort: memberCohort(d.name) })),
      ],
      zones: [...zones, ...parks].map((z) => ({ code: z.code, name: z.name })),
      transportDepartment: dot.code,
      ezBoard: departments.find((d) => /khu kinh tế/i.test(d.name))?.code,
      educationDepartment: edu.code,
      operators: [
        ...telecoms.map((t) => ({ code: t.code, type: 'telecom' as const })),
        ...posts.map((p) => ({ code: p.code, type: 'post_office' as const })),
      ],
    };
  }

  /** Both trees as the registry holds them now (after the scenario's own units are registered). */
  async treeLinks(): Promise<TreeLinks> {
    const types: UnitType[] = [
      'province',
      'district',
      'commune',
      'hamlet',
      'department',
      'mass_org',
      'economic_zone',
      'industrial_park',
      'enterprise',
      'transport_hub',
      'telecom',
      'post_office',
      'school',
      'venue',
    ];
    const adminParent = new Map<string, string | null>();
    const accountableTo = new Map<string, string | null>();
    for (const t of types) {
      for (const u of await this.listUnits(t)) {
        adminParent.set(u.code, u.adminParentCode ?? null);
        accountableTo.set(u.code, u.accountableToCode ?? null);
      }
    }
    return { adminParent, accountableTo };
  }

  /** Registers the scenario's own units and denominators, gives every unit a head, and issues the keys the portals use. */
  async prepare(world: World, scenario: Scenario): Promise<Keys> {
    for (const u of scenario.created) {
      await this.client.request('PUT', `${this.urls.registry}/v1/org-units/${u.code}`, {
        key: this.adminKey,
        body: {
          name: u.name,
          type: u.type,
          adminParentCode: u.adminParentCode ?? undefined,
          accountableToCode: u.accountableToCode,
          head: { name: `Thủ trưởng ${u.name}`, title: 'Giám đốc', ...simulatedContacts(u.code) },
        },
      });
    }
    await this.appointHeads(world);
    // Districts' populations are their communes' (the census gives none per district here), so districts have resident rates too.
    const districtPopulation = new Map<string, number>();
    for (const c of world.communes)
      districtPopulation.set(c.districtCode, (districtPopulation.get(c.districtCode) ?? 0) + (scenario.communePopulation.get(c.code) ?? 0));
    await pool([...scenario.communePopulation, ...districtPopulation], this.concurrency, async ([code, headcount]) => {
      await this.client.request('PUT', `${this.urls.registry}/v1/org-units/${code}/cohorts/residents`, {
        key: this.adminKey,
        body: { headcount, asOf: '2019-04-01' },
      });
    });
    const issue = async (role: string, orgUnitCode: string) =>
      (
        await this.client.request<{ key: string }>('POST', `${this.urls.registry}/v1/api-keys`, {
          key: this.adminKey,
          body: { role, orgUnitCode },
        })
      ).body.key;
    const byUnit = new Map<string, string>();
    for (const d of world.districts) byUnit.set(d.code, await issue('portal', d.code));
    for (const a of world.agencies) byUnit.set(a.code, await issue('portal', a.code));
    byUnit.set(world.educationDepartment, await issue('portal', world.educationDepartment));
    const operators = new Map<string, string>();
    for (const o of world.operators) operators.set(o.code, await issue('telecom', o.code));
    const ezBoard = await issue('ez_board', world.ezBoard ?? world.zones[0]?.code ?? PROVINCE);
    const transport = await issue('transport', world.transportDepartment);
    return { admin: this.adminKey, byUnit, ezBoard, transport, operators };
  }

  /**
   * Units without a head, or whose head has no phone (the seed's placeholders), get one with a phone and an
   * e-mail (the chairman asks for laggards with their heads and how to reach them). Deterministic names.
   */
  private async appointHeads(world: World): Promise<void> {
    const family = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Huỳnh', 'Võ', 'Đặng', 'Thạch', 'Kim', 'Sơn'];
    const given = [
      'Văn An',
      'Thị Bình',
      'Minh Châu',
      'Quốc Dũng',
      'Thị Hoa',
      'Văn Khánh',
      'Hữu Lộc',
      'Thanh Nga',
      'Công Phúc',
      'Thị Sương',
    ];
    const codes = [
      world.province,
      ...world.districts.map((d) => d.code),
      ...world.communes.map((c) => c.code),
      ...world.agencies.map((a) => a.code),
      ...world.zones.map((z) => z.code),
      world.educationDepartment,
    ];
    await pool(codes, this.concurrency, async (code, i) => {
      const unit = (
        await this.client.request<UnitInfo & { bloc?: string | null }>('GET', `${this.urls.registry}/v1/org-units/${code}`, {
          key: this.adminKey,
        })
      ).body;
      if (unit.head?.phone) return;
      const title =
        unit.type === 'province' || unit.type === 'district' || unit.type === 'commune'
          ? 'Chủ tịch UBND'
          : unit.type === 'mass_org'
            ? 'Chủ tịch'
            : unit.type === 'economic_zone' || unit.type === 'industrial_park'
              ? 'Trưởng ban'
              : 'Giám đốc';
      const body: Record<string, unknown> = {
        name: unit.name,
        type: unit.type,
        head: { name: `${family[i % family.length]} ${given[(i * 7) % given.length]}`, title, ...simulatedContacts(code) },
      };
      if (unit.bloc) body.bloc = unit.bloc;
      if (unit.adminParentCode) body.adminParentCode = unit.adminParentCode;
      if (unit.accountableToCode) body.accountableToCode = unit.accountableToCode;
      await this.client.request('PUT', `${this.urls.registry}/v1/org-units/${code}`, { key: this.adminKey, body });
    });
  }

  private keyFor(keys: Keys, world: World, scenario: Scenario, unitCode: string): string {
    const direct = keys.byUnit.get(unitCode);
    if (direct) return direct;
    const commune = world.communes.find((c) => c.code === unitCode);
    if (commune) return keys.byUnit.get(commune.districtCode)!;
    const created = scenario.created.find((c) => c.code === unitCode);
    if (created?.type === 'school') return keys.byUnit.get(world.educationDepartment)!;
    return keys.admin;
  }

  /** Sends the campaign day by day; within a day, actions on the same report key keep their order. */
  async run(world: World, scenario: Scenario, keys: Keys, onDay?: (day: string) => Promise<void>): Promise<void> {
    const days = [...new Set(scenario.actions.map((a) => a.day))].sort();
    const progress = new Progress(scenario.actions.length, 'simulating', process.stderr, this.quiet);
    for (const day of days) {
      const todays = scenario.actions.filter((a) => a.day === day);
      // Points open before their sessions are logged.
      const opens = todays.filter((a) => a.kind === 'open-point');
      await pool(opens, this.concurrency, async (a) => {
        await this.send(a, world, scenario, keys);
        progress.tick(1, day);
      });
      const rest = todays.filter((a) => a.kind !== 'open-point');
      const groups = new Map<string, Action[]>();
      const bulk = new Map<string, { key: string; channel: 'batch' | 'csv'; reports: ReportBody[] }>();
      for (const a of rest) {
        if (a.kind === 'report' && (a.channel === 'batch' || a.channel === 'csv') && !a.note) {
          const key = this.keyFor(keys, world, scenario, a.body.orgUnitCode);
          const g = `${a.channel}:${key}`;
          if (!bulk.has(g)) bulk.set(g, { key, channel: a.channel, reports: [] });
          bulk.get(g)!.reports.push(a.body);
          continue;
        }
        const k = a.kind === 'report' ? `r:${a.body.orgUnitCode}:${a.body.cohort}:${a.body.asOf}` : `${a.kind}:${groups.size}`;
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k)!.push(a);
      }
      await pool([...bulk.values()], Math.max(1, Math.floor(this.concurrency / 2)), async (b) => {
        await this.sendBulk(b, day);
        progress.tick(b.reports.length, day);
      });
      await pool([...groups.values()], this.concurrency, async (list) => {
        for (const a of list) {
          await this.send(a, world, scenario, keys);
          progress.tick(1, day);
        }
      });
      await onDay?.(day);
    }
  }

  private idem(...parts: Array<string | number>): string {
    return `sim-${parts.join('-')}`.slice(0, 200);
  }

  private async sendBulk(b: { key: string; channel: 'batch' | 'csv'; reports: ReportBody[] }, day: string): Promise<void> {
    this.stats.requests += 1;
    this.stats.reports += b.reports.length;
    let results: Array<{ status: string; errors?: unknown }>;
    if (b.channel === 'batch') {
      const res = await this.client.request<{ results: Array<{ status: string; errors?: unknown }> }>(
        'POST',
        `${this.urls.intake}/v1/reports/batch`,
        { key: b.key, body: { reports: b.reports } },
      );
      results = res.body.results;
    } else {
      const header = 'org_unit_code,cohort,as_of,headcount,smartphone_holders,installed,bluetooth_on';
      const lines = b.reports.map((r) =>
        [r.orgUnitCode, r.cohort, r.asOf, r.headcount, r.smartphoneHolders, r.installed, r.bluetoothOn].join(','),
      );
      const res = await this.client.request<{ results: Array<{ status: string; errors?: unknown }> }>(
        'POST',
        `${this.urls.intake}/v1/reports/import`,
        {
          key: b.key,
          raw: `${header}\n${lines.join('\n')}\n`,
          contentType: 'text/csv',
        },
      );
      results = res.body.results;
    }
    const bad = results.filter((r) => r.status === 'rejected');
    if (bad.length) throw new Error(`${b.channel} on ${day}: ${bad.length} reports rejected: ${JSON.stringify(bad[0]).slice(0, 300)}`);
  }

  private async send(a: Action, world: World, scenario: Scenario, keys: Keys): Promise<void> {
    this.stats.requests += 1;
    switch (a.kind) {
      case 'report': {
        this.stats.reports += 1;
        const key = this.keyFor(keys, world, scenario, a.body.orgUnitCode);
        // A duplicate is a plain resubmission (no key): the service must treat it as a no-op.
        const idempotencyKey =
          a.note === 'duplicate' ? undefined : this.idem('r', a.body.orgUnitCode, a.body.cohort, a.body.asOf, a.note ?? 'first');
        await this.client.request('POST', `${this.urls.intake}/v1/reports`, { key, body: a.body, idempotencyKey });
        return;
      }
      case 'roster': {
        this.stats.rosters += 1;
        const raw = a.format === 'csv' ? rosterCsv(a.workers) : await rosterXlsx(a.workers);
        await this.client.request('POST', `${this.urls.workforce}/v1/enterprises/${a.enterpriseCode}/rosters?asOf=${a.asOf}`, {
          key: keys.ezBoard,
          raw,
          contentType: a.format === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        });
        return;
      }
      case 'activity': {
        this.stats.activities += 1;
        const key = this.keyFor(keys, world, scenario, a.body.orgUnitCode);
        await this.client.request('POST', `${this.urls.intake}/v1/activities`, {
          key,
          body: a.body,
          idempotencyKey: this.idem('a', a.body.orgUnitCode, a.body.kind, a.body.date),
        });
        return;
      }
      case 'open-point': {
        this.stats.points += 1;
        await this.client.request('PUT', `${this.urls.supportPoints}/v1/support-points/${encodeURIComponent(a.id)}`, {
          key: keys.operators.get(a.operator) ?? keys.admin,
          body: { operator: a.operator, communeCode: a.communeCode, address: a.address, openedOn: a.openedOn },
        });
        return;
      }
      case 'session': {
        this.stats.sessions += 1;
        await this.client.request('POST', `${this.urls.supportPoints}/v1/support-points/${encodeURIComponent(a.pointId)}/sessions`, {
          key: keys.operators.get(a.operator) ?? keys.admin,
          body: a.body,
          idempotencyKey: this.idem('s', a.pointId, a.body.date),
        });
        return;
      }
      case 'transport': {
        this.stats.transportChecks += 1;
        await this.client.request('POST', `${this.urls.workforce}/v1/transport-hubs/${a.hubCode}/checks`, {
          key: keys.transport,
          body: a.body,
          idempotencyKey: this.idem('t', a.hubCode, a.body.date),
        });
        return;
      }
    }
  }
}

const flag = (b: boolean) => (b ? 'có' : 'không');

export function rosterCsv(rows: readonly WorkerRow[]): string {
  const lines = ['Mã NV,Họ và tên,Số điện thoại,Có điện thoại thông minh,Đã cài Bluezone,Bật Bluetooth'];
  for (const r of rows)
    lines.push([r.employeeId, r.fullName, r.phone, flag(r.hasSmartphone), flag(r.installed), flag(r.bluetoothOn)].join(','));
  return `${lines.join('\n')}\n`;
}

export async function rosterXlsx(rows: readonly WorkerRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Danh sách');
  ws.addRow(['employee_id', 'full_name', 'phone', 'has_smartphone', 'installed', 'bluetooth_on']);
  for (const r of rows) ws.addRow([r.employeeId, r.fullName, r.phone, r.hasSmartphone ? 1 : 0, r.installed ? 1 : 0, r.bluetoothOn ? 1 : 0]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * A simulated head's phone and e-mail, derived from the unit's code: a mobile number in Viettel's 098 range
 * and an address under the reserved `.example` domain (RFC 2606), so no simulated contact reaches anyone.
 */
export function simulatedContacts(code: string): { phone: string; email: string } {
  let h = 0;
  for (const ch of code) h = (h * 31 + ch.charCodeAt(0)) % 10_000_000;
  return {
    phone: `098${String(h).padStart(7, '0')}`,
    email: `${code.toLowerCase().replace(/[^a-z0-9]+/g, '-')}@travinh.example`,
  };
}
