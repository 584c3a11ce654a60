import { OrgUnitUpsertedV1, type UnitType } from '@app/contracts';
import type { BenchContext, Section } from '../support/context';
import { closedLoop, httpFloor, type LoadResult } from '../support/http';
import { Injector } from '../support/inject';
import { publishFigure, publishStatus } from '../support/rates-events';
import { judge, type Row } from '../support/report';
import { CAMPAIGN_END, setResidentTarget } from '../support/shapes';
import { percentile } from '../support/stats';
import { BenchSystem } from '../support/system';
import { buildWorld, importWorld, StreamWatch } from '../support/world';

/**
 * How often the load generator parses a response in full. Parsing a page of 16 units (10.7 KB) takes ~100 µs: at
 * 4,800 responses a second, half a core of the two that the service measured also needs (a real reader parses on
 * its own machine). Every other response is checked without a parse: status 200, and the shape of the body.
 */
const FULL_CHECK_EVERY = 64;

export const querySection: Section = {
  name: 'queries',
  title: 'Queries on a national-scale registry: GET /v1/units (a district’s children, sorted) and GET /v1/summary at 100 clients',
  async run(ctx: BenchContext, rows: Row[]) {
    const section = 'queries';
    const sys = await BenchSystem.create('queries', { profile: ctx.profile.filter((s) => s === 'compliance') as ['compliance'] });
    const watch = await StreamWatch.open(sys.namespace);
    try {
      await sys.startMany(['registry', 'compliance']);
      const shape = ctx.quick
        ? { districts: 7, communesPerDistrict: 16, enterprises: 1_000 }
        : { districts: 700, communesPerDistrict: 16, enterprises: 100_000 };
      const world = buildWorld(shape);
      await setResidentTarget(sys);
      ctx.log(`queries: importing ${world.csv.length - 1} units through the registry`);
      const imp = await importWorld(sys, world, 5_000, ctx.quick ? 90_000 : 120_000, { partial: true });
      const allUnits = world.csv.length - 1;
      rows.push({
        section,
        measure: `registry CSV import, chunks of 5,000 (national scale: ${world.districts.length} districts, ${world.communes.length.toLocaleString('en-US')} communes, ${world.enterprises.length.toLocaleString('en-US')} enterprises)`,
        value: imp.units / imp.seconds,
        unit: 'units/s',
        detail: `${imp.units.toLocaleString('en-US')} of ${allUnits.toLocaleString('en-US')} units in ${imp.seconds.toFixed(0)} s${imp.complete ? '' : ` (time budget spent; the other ${(allUnits - imp.units).toLocaleString('en-US')} were published straight to the stream as registry.orgunit.upserted events)`}`,
        limit: ctx.limits.pgCommit,
        note: imp.complete
          ? undefined
          : `the registry import would need ~${Math.round(allUnits / (imp.units / imp.seconds) / 60)} min for the national scale at this rate`,
      });

      // The units the import did not reach (in the CSV's parent-first order), then figures and statuses
      // for the province, the districts and the communes, as the registry and rates would publish them.
      const inj = await Injector.open(sys.namespace);
      try {
        for (const line of world.csv.slice(1 + imp.units)) {
          const [code, name, type, parent, accountable, headName, headTitle] = line.split(',');
          await inj.publish(OrgUnitUpsertedV1, 'registry', code, {
            code,
            name,
            type: type as UnitType,
            bloc: null,
            adminParentCode: parent || null,
            accountableToCode: accountable || (type === 'district' || type === 'commune' ? parent || null : null),
            head: headName ? { name: headName, title: headTitle } : null,
            level: type === 'district' ? 2 : type === 'commune' ? 3 : null,
            active: true,
            revision: 1,
          });
        }
        await publishFigure(inj, world.province, CAMPAIGN_END, 1_000_000, 1, world.communes.length, world.communes.length);
        let seed = 2;
        for (const d of world.districts) {
          await publishFigure(inj, d, CAMPAIGN_END, 100_000, seed++, shape.communesPerDistrict, shape.communesPerDistrict);
          await publishStatus(inj, 'residents-50', d, CAMPAIGN_END, seed);
        }
        for (const c of world.communes) {
          await publishFigure(inj, c, CAMPAIGN_END, 5_000 + (seed % 3_000), seed++);
          await publishStatus(inj, 'residents-50', c, CAMPAIGN_END, seed);
        }
      } finally {
        await inj.close();
      }
      let caughtUp = '';
      try {
        caughtUp = `caught up ${(await watch.waitIdle(sys, ['registry'], ctx.quick ? 120_000 : 180_000, 1)).toFixed(0)} s after the last event`;
      } catch (err) {
        caughtUp = `NOT caught up: ${(err as Error).message}`;
      }
      ctx.log(`queries: compliance ${caughtUp}`);
      const held: string[] = [];
      for (const type of ['district', 'commune', 'enterprise']) {
        const r = await sys.http('compliance').request('GET', `/v1/units?type=${type}&limit=1&date=${CAMPAIGN_END}`);
        held.push(r.status === 200 ? `${(JSON.parse(r.text) as { total?: number }).total ?? '?'} ${type}s` : `? ${type}s (${r.status})`);
      }
      const scale = `read model: ${held.join(', ')}`;
      const districts = world.districts;

      const http = sys.http('compliance');
      const clients = 100;
      const seconds = ctx.quick ? 3_000 : 15_000;
      const floor = await httpFloor(http, clients, ctx.quick ? 1_500 : 4_000);
      const floorP99 = percentile(floor.latencies, 99);
      rows.push({
        section,
        measure: `HTTP floor: GET /v1/whoami on compliance (guard + framework, no I/O), ${clients} clients`,
        value: floor.ok / (floor.elapsedMs / 1000),
        unit: 'req/s',
        detail: `p50 ${percentile(floor.latencies, 50).toFixed(1)} ms, p99 ${floorP99.toFixed(1)} ms`,
      });
      interface QueryCase {
        measure: string;
        path: (i: number) => string;
        /** Whether a body is the answer wanted, parsed: checked on every FULL_CHECK_EVERYth response. */
        valid: (text: string) => boolean;
        /** Whether a body looks like it (no parse): checked on every other response. */
        looks: (text: string) => boolean;
        /** Requests 0 … firstReads-1 each read a different page once: measured on their own, before the steady state. */
        firstReads?: number;
        note: string;
      }
      const cases: QueryCase[] = [
        {
          measure: `GET /v1/units?parent={district}&sort=installRate (children of a random district; ${scale})`,
          // 7,919 is prime, so the first districts.length requests name every district once.
          path: (i) => `/v1/units?parent=${districts[(i * 7919) % districts.length]}&sort=installRate&date=${CAMPAIGN_END}`,
          valid: (t) => ((JSON.parse(t) as { items?: unknown[] }).items?.length ?? 0) > 0,
          looks: (t) => t.startsWith('{"date":') && t.includes('"items":[{') && t.endsWith('}'),
          firstReads: districts.length,
          note: 'the page kept whole per read-model version and filter (ReadModelService.keep; version from memory, as for the summary), its JSON serialised once: a hit is the framework, the guard, the validation pipe (the query DTO judged by the compiled constraint check) and the kept bytes written to the socket, no I/O and no serialisation (profiled 2026-12-06: the socket write ~15% of the process, the validation pipe 9%, down from 18%, the serialisation of 11.6 KB gone, 14.5% before); a miss (the first read of each district after a version change) is a statement prepared once per connection: targets, parent, children through the parent index, each child’s figures and status through the primary keys (LATERAL, ~1.5 ms executing per district on the loaded machine), then the standings and the serialisation; first reads of different districts that arrive while 4 such statements run wait and go together, up to 32 districts a statement (AnalyticsService.units). The load generator is not what sets the tail: in paired runs on 2026-12-08 autocannon (raw sockets, a fraction of node:http’s cost a request) in its place gave the same p99s (the floor 91 → 72 ms, this route 116 → 119 ms, the summary 66 → 65 ms) and was not kept; under the load the service’s thread is 70–90% busy with the framework’s hooks, the guard and the socket writes (~15% of it writev)',
        },
        {
          measure: `GET /v1/summary?date= (${scale})`,
          path: () => `/v1/summary?date=${CAMPAIGN_END}`,
          valid: (t) => Array.isArray((JSON.parse(t) as { targets?: unknown[] }).targets),
          looks: (t) => t.startsWith('{"date":') && t.includes('"targets":[') && t.endsWith('}'),
          note: 'the read-model version from memory (the projection announces each commit with NOTIFY, heard on one LISTENing connection; read from the database only while not listening), then a cache keyed on it: a hit is the framework’s work alone (guard, validation pipe of the query DTO by the compiled constraint check, serialisation), no I/O; a miss is one statement: the province’s own rows through the primary keys, and the units by status summed from the per-day counts the projection keeps (status_count_deltas), nothing over the units',
        },
      ];
      // `judged`: whether the route's target applies (the steady state); the cold pass is shown beside it, not judged by it.
      const latencyRow = (measure: string, res: LoadResult, note: string, extra = '', judged = true): Row => {
        const p99 = percentile(res.latencies, 99);
        return {
          section,
          measure,
          value: Number.isFinite(p99) ? p99 : null,
          unit: 'ms (p99)',
          detail: `p50 ${percentile(res.latencies, 50).toFixed(1)} ms; ${extra}${(res.ok / (res.elapsedMs / 1000)).toFixed(0)} req/s; compliance ${caughtUp}${res.errors ? `; ${res.errors} errors (first: ${res.firstError})` : ''}`,
          limit: { name: 'HTTP floor p99', value: floorP99, unit: 'ms' },
          ...(judged ? judge({ op: '≤', value: 50, text: 'p99 ≤ 50 ms' }, p99) : {}),
          note,
          ...(res.ok === 0 ? { error: res.firstError ?? 'no request succeeded' } : {}),
        };
      };
      for (const c of cases) {
        const request = async (i: number) => {
          const r = await http.request('GET', c.path(i));
          if (r.status !== 200) throw new Error(`${r.status} ${r.text.slice(0, 200)}`);
          if (!(i % FULL_CHECK_EVERY === 0 ? c.valid(r.text) : c.looks(r.text))) throw new Error(`unexpected body ${r.text.slice(0, 200)}`);
          return 1;
        };
        if (c.firstReads) {
          // What a reader meets after every change of the read model (each applied batch drops the kept pages).
          const cold = await closedLoop({ concurrency: clients, durationMs: 120_000, maxRequests: c.firstReads }, request);
          rows.push(
            latencyRow(
              `${c.measure}, cold first pass: each of the ${c.firstReads} pages read once (every read a miss), ${clients} clients`,
              cold,
              'the first read of each page after a change of the read model: no page kept yet, every request a miss (the steady state below is measured after this pass). While reports flow, every applied batch changes the read model and empties the kept pages, so readers then meet this path more than the steady state: its cost is a statement per up to 32 districts, ~1.5 ms of PostgreSQL a district, queued behind the pool',
              `max ${Math.max(...cold.latencies).toFixed(0)} ms; ${cold.ok} reads in ${(cold.elapsedMs / 1000).toFixed(1)} s, `,
              false,
            ),
          );
        }
        const res = await closedLoop({ concurrency: clients, durationMs: seconds, maxRequests: 1_000_000 }, request);
        const steady = c.firstReads ? `, steady state after the cold pass (every page kept; a read-model change would empty them)` : '';
        rows.push(latencyRow(`${c.measure}${steady}, ${clients} clients`, res, c.note));
      }
    } finally {
      await watch.close();
      await sys.dispose();
    }
  },
};
