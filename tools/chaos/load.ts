import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { rosterCsv } from '../simulator/src/runner';
import { Prng } from '../simulator/src/prng';
import type { WorkerRow } from '../simulator/src/scenario';

/** Where each service answers (the balancers). */
export interface LoadUrls {
  registry: string;
  intake: string;
  supportPoints: string;
  workforce: string;
}

export type RequestKind = 'report' | 'batch' | 'activity' | 'session' | 'roster' | 'refused-report' | 'refused-activity';

/** One request of the load, as sent and as answered (the last answer after retries with the same key). */
export interface SentRequest {
  id: string;
  kind: RequestKind;
  method: string;
  path: string;
  status: number | null;
  attempts: number;
  answer: string;
}

export interface Counts {
  headcount: number;
  smartphoneHolders: number;
  installed: number;
  bluetoothOn: number;
}

/** What the load believes the system holds: every write it sent, with whether it was accepted. */
export interface LoadLedger {
  requests: SentRequest[];
  /** `unit|cohort|asOf` → the report's counts, for each accepted report (single or batch item). */
  reports: Map<string, Counts & { requestId: string }>;
  /** Keys of refused reports: nothing may be stored under them. */
  refusedReports: Set<string>;
  /** `unit|kind|date` → the activity's counts. */
  activities: Map<string, { counts: Record<string, unknown>; requestId: string }>;
  refusedActivities: Set<string>;
  /** `point|date` → the session. */
  sessions: Map<string, { assisted: number; installed: number; bluetoothEnabled: number; requestId: string }>;
  /** `enterprise|asOf` → the roster's counts, and how many times it was sent (rosters take no Idempotency-Key). */
  rosters: Map<string, Counts & { requestId: string; attempts: number }>;
  /** Units on the administrative tree: commune → district. */
  districtOf: Map<string, string>;
  dates: string[];
}

interface World {
  communes: Array<{ code: string; districtCode: string }>;
  operators: string[];
  zone: string;
}

export const COHORT = 'residents';
const FIRST_DAY = '2020-08-04';
const DAYS = 27;

function days(): string[] {
  const out: string[] = [];
  const d = new Date(`${FIRST_DAY}T00:00:00Z`);
  for (let i = 0; i < DAYS; i++) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The fault suite's load: reports one by one and in batches, broadcasts, support sessions and enterprise rosters,
 * plus requests that must be refused, each under a key of its own (a unit and a day no other request uses), so that
 * the checker can find each one's effect, or its absence, in the figures. Every request carries an
 * Idempotency-Key (its id) and is retried with it until it gets an answer that is not a failure of the system
 * (5xx, 429, no connection), or the retry deadline passes.
 */
export class Load {
  readonly ledger: LoadLedger = {
    requests: [],
    reports: new Map(),
    refusedReports: new Set(),
    activities: new Map(),
    refusedActivities: new Set(),
    sessions: new Map(),
    rosters: new Map(),
    districtOf: new Map(),
    dates: days(),
  };
  private world: World | null = null;
  private readonly rng: Prng;
  private reportSlots: Array<[string, string]> = [];
  private activitySlots: Array<[string, string]> = [];
  private sessionSlots: Array<[string, string]> = [];
  private rosterSlots: Array<[string, string]> = [];
  private readonly workers = new Map<string, Array<{ id: string; smart: boolean }>>();
  private readonly points = new Map<string, string>();

  constructor(
    private readonly urls: LoadUrls,
    private readonly adminKey: string,
    private readonly journal: string | null,
    seed = 18,
  ) {
    this.rng = new Prng(seed);
  }

  private async call(
    kind: RequestKind,
    method: string,
    base: string,
    path: string,
    body: unknown,
    opts: {
      raw?: string;
      contentType?: string;
      retryUntil: number;
      idempotent?: boolean;
      /** An answer below 500 that is asked again until `retryUntil` (a replica still catching up), besides 429. */
      retryIf?: (status: number, answer: string) => boolean;
    },
  ): Promise<SentRequest & { body: any }> {
    const id = randomUUID();
    const headers: Record<string, string> = { authorization: `Bearer ${this.adminKey}`, 'x-request-id': id };
    if (opts.idempotent !== false) headers['idempotency-key'] = id;
    let payload: string | undefined;
    if (opts.raw !== undefined) {
      payload = opts.raw;
      headers['content-type'] = opts.contentType ?? 'text/csv';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const sent: SentRequest & { body: any } = { id, kind, method, path, status: null, attempts: 0, answer: '', body: undefined };
    for (;;) {
      sent.attempts += 1;
      try {
        const res = await fetch(`${base}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(20_000) });
        const text = await res.text();
        sent.status = res.status;
        sent.answer = text.slice(0, 300);
        try {
          sent.body = text ? JSON.parse(text) : undefined;
        } catch {
          sent.body = text;
        }
        if (res.status < 500 && res.status !== 429 && !opts.retryIf?.(res.status, text)) break;
      } catch (err) {
        sent.status = null;
        sent.answer = (err as Error).message;
      }
      if (Date.now() > opts.retryUntil) break;
      await sleep(Math.min(2000, 200 * sent.attempts));
    }
    const { body: _b, ...record } = sent;
    this.ledger.requests.push(record);
    if (this.journal) appendFileSync(this.journal, `${JSON.stringify(record)}\n`);
    return sent;
  }

  private async get<T>(base: string, path: string): Promise<T> {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${this.adminKey}` } });
    if (!res.ok) throw new Error(`GET ${path} → ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as T;
  }

  /** Finds the units, makes the enterprises and support points the load writes for. */
  async prepare(): Promise<void> {
    type Unit = { code: string; adminParentCode: string | null };
    const list = async (type: string) =>
      (await this.get<{ items: Unit[] }>(this.urls.registry, `/v1/org-units?type=${type}&limit=500`)).items;
    const communes = (await list('commune')).filter((c) => c.adminParentCode);
    const operators = (await list('telecom')).map((t) => t.code);
    const zones = [...(await list('economic_zone')), ...(await list('industrial_park'))];
    if (!communes.length || !operators.length || !zones.length)
      throw new Error('the registry has no communes, telecoms or zones: is SEED=tra-vinh set?');
    this.world = { communes: communes.map((c) => ({ code: c.code, districtCode: c.adminParentCode! })), operators, zone: zones[0].code };
    for (const c of this.world.communes) this.ledger.districtOf.set(c.code, c.districtCode);
    const until = Date.now() + 120_000;
    const enterprises = ['DN-CHAOS-1', 'DN-CHAOS-2', 'DN-CHAOS-3', 'DN-CHAOS-4'];
    for (const code of enterprises) {
      const r = await this.call(
        'roster',
        'PUT',
        this.urls.registry,
        `/v1/org-units/${code}`,
        {
          name: `Công ty TNHH Thử nghiệm ${code.slice(-1)}`,
          type: 'enterprise',
          accountableToCode: this.world.zone,
        },
        { retryUntil: until },
      );
      if (r.status === null || r.status >= 300) throw new Error(`cannot register ${code}: ${r.status} ${r.answer}`);
      this.ledger.requests.pop();
      this.workers.set(
        code,
        Array.from({ length: 30 }, (_, i) => ({ id: `${code}-NV${String(i + 1).padStart(3, '0')}`, smart: i % 5 !== 0 })),
      );
    }
    const withPoints = this.world.communes.slice(0, 24);
    for (const [i, c] of withPoints.entries()) {
      const id = `SP-CHAOS-${c.code}`;
      const r = await this.call(
        'session',
        'PUT',
        this.urls.supportPoints,
        `/v1/support-points/${id}`,
        {
          operator: this.world.operators[i % this.world.operators.length],
          communeCode: c.code,
          address: `Trụ sở UBND xã ${c.code}`,
          openedOn: FIRST_DAY,
        },
        // The support-points replicas learn the communes and operators from the registry's events: with fifteen replicas
        // started at once on a loaded machine they may not know them yet (422, "not a registered unit"; once in CI).
        { retryUntil: until, retryIf: (status, answer) => status === 422 && answer.includes('is not a registered unit') },
      );
      if (r.status === null || r.status >= 300) throw new Error(`cannot open ${id}: ${r.status} ${r.answer}`);
      this.ledger.requests.pop();
      this.points.set(id, c.code);
    }
    // The workforce replicas learn the enterprises from the registry's events: wait until a dry run is taken.
    for (const code of enterprises) {
      for (;;) {
        const res = await fetch(`${this.urls.workforce}/v1/enterprises/${code}/rosters?asOf=${FIRST_DAY}&dryRun=true`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.adminKey}`, 'content-type': 'text/csv' },
          body: rosterCsv(this.rosterRows(code, FIRST_DAY)),
        }).catch(() => null);
        if (res?.status === 200) break;
        if (Date.now() > until) throw new Error(`workforce does not know ${code}: ${res?.status} ${await res?.text()}`);
        await sleep(500);
      }
    }
    const dates = this.ledger.dates;
    const pairs = (codes: string[]) => codes.flatMap((c) => dates.map((d) => [c, d] as [string, string]));
    const communeCodes = this.world.communes.map((c) => c.code);
    this.reportSlots = this.rng.shuffle(pairs(communeCodes));
    this.activitySlots = this.rng.shuffle(pairs(communeCodes));
    this.sessionSlots = this.rng.shuffle(pairs([...this.points.keys()]));
    this.rosterSlots = this.rng.shuffle(pairs(enterprises));
  }

  private hash(...parts: string[]): number {
    let h = 7;
    for (const ch of parts.join('|')) h = (h * 31 + ch.charCodeAt(0)) % 1_000_003;
    return h;
  }

  private reportBody(unit: string, asOf: string) {
    const h = this.hash(unit, asOf);
    const installed = 100 + (h % 2000);
    return {
      orgUnitCode: unit,
      cohort: COHORT,
      asOf,
      headcount: 4000 + (h % 1000),
      smartphoneHolders: 2500,
      installed,
      bluetoothOn: Math.floor(installed * 0.8),
    };
  }

  private rosterRows(code: string, asOf: string): WorkerRow[] {
    return this.workers.get(code)!.map((w, i) => {
      const installed = w.smart && this.hash(code, asOf, String(i)) % 3 !== 0;
      return {
        employeeId: w.id,
        fullName: `Nguyễn Văn ${i + 1}`,
        phone: `09${String(10000000 + i * 7919).slice(-8)}`,
        hasSmartphone: w.smart,
        installed,
        bluetoothOn: installed && this.hash(asOf, String(i)) % 4 !== 0,
      };
    });
  }

  /** Sends one request of `kind`; false when the kind has no slot left. */
  async send(kind: RequestKind, retryUntil: number): Promise<boolean> {
    const L = this.ledger;
    switch (kind) {
      case 'report':
      case 'refused-report': {
        const slot = this.reportSlots.pop();
        if (!slot) return false;
        const body = this.reportBody(slot[0], slot[1]);
        const key = `${slot[0]}|${COHORT}|${slot[1]}`;
        if (kind === 'refused-report') body.installed = body.smartphoneHolders + 1;
        const r = await this.call(kind, 'POST', this.urls.intake, '/v1/reports', body, { retryUntil });
        if (r.status !== null && r.status >= 200 && r.status < 300) {
          const { orgUnitCode: _u, cohort: _c, asOf: _a, ...counts } = body;
          L.reports.set(key, { ...counts, requestId: r.id });
        } else if (r.status !== null && r.status >= 400 && r.status < 500) L.refusedReports.add(key);
        return true;
      }
      case 'batch': {
        const slots = this.reportSlots.splice(-10, 10);
        if (!slots.length) return false;
        const bodies = slots.map(([u, d]) => this.reportBody(u, d));
        const r = await this.call('batch', 'POST', this.urls.intake, '/v1/reports/batch', { reports: bodies }, { retryUntil });
        if (r.status !== null && r.status >= 200 && r.status < 300) {
          const results = (r.body?.results ?? []) as Array<{ status: string }>;
          bodies.forEach((b, i) => {
            const key = `${b.orgUnitCode}|${COHORT}|${b.asOf}`;
            const { orgUnitCode: _u, cohort: _c, asOf: _a, ...counts } = b;
            if (results[i] && results[i].status !== 'rejected') L.reports.set(key, { ...counts, requestId: r.id });
            else L.refusedReports.add(key);
          });
        } else if (r.status !== null && r.status >= 400 && r.status < 500)
          for (const [u, d] of slots) L.refusedReports.add(`${u}|${COHORT}|${d}`);
        return true;
      }
      case 'activity':
      case 'refused-activity': {
        const slot = this.activitySlots.pop();
        if (!slot) return false;
        const aired = 1 + (this.hash(slot[0], slot[1], 'a') % 6);
        const body = {
          orgUnitCode: slot[0],
          kind: 'broadcast',
          date: slot[1],
          sessionsAired: aired,
          sessionsWithStartAnnouncement: kind === 'refused-activity' ? aired + 3 : aired,
          sessionsWithEndAnnouncement: aired,
          supportLocationsAnnounced: true,
        };
        const key = `${slot[0]}|broadcast|${slot[1]}`;
        const r = await this.call(kind, 'POST', this.urls.intake, '/v1/activities', body, { retryUntil });
        if (r.status !== null && r.status >= 200 && r.status < 300) {
          const { orgUnitCode: _u, kind: _k, date: _d, ...counts } = body;
          L.activities.set(key, { counts, requestId: r.id });
        } else if (r.status !== null && r.status >= 400 && r.status < 500) L.refusedActivities.add(key);
        return true;
      }
      case 'session': {
        const slot = this.sessionSlots.pop();
        if (!slot) return false;
        const h = this.hash(slot[0], slot[1], 's');
        const assisted = 5 + (h % 50);
        const installed = Math.floor(assisted * 0.7);
        const body = { date: slot[1], assisted, installed, bluetoothEnabled: Math.floor(installed * 0.9) };
        const r = await this.call('session', 'POST', this.urls.supportPoints, `/v1/support-points/${slot[0]}/sessions`, body, {
          retryUntil,
        });
        if (r.status !== null && r.status >= 200 && r.status < 300)
          L.sessions.set(`${slot[0]}|${slot[1]}`, { assisted, installed, bluetoothEnabled: body.bluetoothEnabled, requestId: r.id });
        return true;
      }
      case 'roster': {
        const slot = this.rosterSlots.pop();
        if (!slot) return false;
        const rows = this.rosterRows(slot[0], slot[1]);
        const r = await this.call('roster', 'POST', this.urls.workforce, `/v1/enterprises/${slot[0]}/rosters?asOf=${slot[1]}`, undefined, {
          raw: rosterCsv(rows),
          contentType: 'text/csv',
          retryUntil,
          idempotent: false,
        });
        if (r.status === 201) {
          const smart = rows.filter((w) => w.hasSmartphone);
          L.rosters.set(`${slot[0]}|${slot[1]}`, {
            headcount: rows.length,
            smartphoneHolders: smart.length,
            installed: smart.filter((w) => w.installed).length,
            bluetoothOn: smart.filter((w) => w.installed && w.bluetoothOn).length,
            requestId: r.id,
            attempts: r.attempts,
          });
        }
        return true;
      }
    }
  }

  /**
   * Sends the mix with `concurrency` workers while `more()` says so; each request is retried for up to
   * `retryMs` until it gets an answer.
   */
  async run(more: () => boolean, retryMs = 180_000, concurrency = 4): Promise<void> {
    const mix: RequestKind[] = [
      'report',
      'batch',
      'activity',
      'session',
      'report',
      'roster',
      'activity',
      'session',
      'refused-report',
      'refused-activity',
    ];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (more()) {
          const kind = mix[next++ % mix.length];
          if (!(await this.send(kind, Date.now() + retryMs))) return;
        }
      }),
    );
  }

  /** Requests answered 2xx, 4xx, and without a final answer. */
  tally(): { accepted: number; refused: number; unanswered: number } {
    const r = this.ledger.requests;
    return {
      accepted: r.filter((x) => x.status !== null && x.status < 300).length,
      refused: r.filter((x) => x.status !== null && x.status >= 400 && x.status < 500).length,
      unanswered: r.filter((x) => x.status === null || x.status >= 500).length,
    };
  }
}
