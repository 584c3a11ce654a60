import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { parseSubject } from '@app/contracts';
import { streamNames } from '@app/messaging';
import { natsUrl, sleep } from './env';
import type { BenchSystem, Service } from './system';

/** A synthetic country: one root province, districts, communes under them, enterprises under communes. */
export interface WorldShape {
  districts: number;
  communesPerDistrict: number;
  enterprises: number;
}

export interface World {
  province: string;
  department: string;
  districts: string[];
  communes: string[];
  enterprises: string[];
  /** CSV lines (header first) in parent-before-child order. */
  csv: string[];
}

export const UNITS_CSV_HEADER = 'code,name,unit_type,parent_code,accountable_to_code,head_name,head_title';

export function buildWorld(shape: WorldShape): World {
  const province = 'N00';
  const department = 'DEPT-EZ';
  const csv = [
    UNITS_CSV_HEADER,
    `${province},Province ${province},province,,,Chair ${province},Chairman`,
    `${department},Economic Zone Board,department,,${province},,`,
  ];
  const districts: string[] = [];
  const communes: string[] = [];
  const enterprises: string[] = [];
  for (let d = 0; d < shape.districts; d++) {
    const dc = `D${String(d).padStart(4, '0')}`;
    districts.push(dc);
    csv.push(`${dc},District ${d},district,${province},,Chair ${dc},Chairman`);
  }
  for (let d = 0; d < shape.districts; d++) {
    for (let k = 0; k < shape.communesPerDistrict; k++) {
      const cc = `C${String(d).padStart(4, '0')}${String(k).padStart(3, '0')}`;
      communes.push(cc);
      csv.push(`${cc},Commune ${d}-${k},commune,${districts[d]},,Chair ${cc},Chairman`);
    }
  }
  for (let e = 0; e < shape.enterprises; e++) {
    const ec = `E${String(e).padStart(7, '0')}`;
    enterprises.push(ec);
    csv.push(`${ec},Enterprise ${e},enterprise,${communes[e % communes.length]},${department},,`);
  }
  return { province, department, districts, communes, enterprises, csv };
}

/** Loads the world through the registry's CSV import, in chunks (each all-or-nothing); returns units/s. */
export async function importWorld(
  sys: BenchSystem,
  world: World,
  chunk: number,
  deadlineMs: number,
  opts: { partial?: boolean } = {},
): Promise<{ units: number; seconds: number; complete: boolean }> {
  const http = sys.http('registry');
  const body = world.csv.slice(1);
  const start = performance.now();
  let done = 0;
  for (let i = 0; i < body.length; i += chunk) {
    if (performance.now() - start > deadlineMs) {
      if (opts.partial) return { units: done, seconds: (performance.now() - start) / 1000, complete: false };
      throw new Error(`registry import: only ${done} of ${body.length} units within ${Math.round(deadlineMs / 1000)} s`);
    }
    const part = [UNITS_CSV_HEADER, ...body.slice(i, i + chunk)].join('\n');
    await http.json('POST', '/v1/org-units/import', { raw: part, contentType: 'text/csv', timeoutMs: 600_000 });
    done += Math.min(chunk, body.length - i);
  }
  return { units: done, seconds: (performance.now() - start) / 1000, complete: true };
}

export interface ConsumerState {
  name: string;
  pending: number;
  ackPending: number;
}

/** Reads the namespace's stream and its durable consumers straight from JetStream. */
export class StreamWatch {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    readonly namespace: string,
    readonly stream: string,
  ) {}

  static async open(namespace: string): Promise<StreamWatch> {
    const nc = await connect({ servers: natsUrl() });
    return new StreamWatch(nc, await jetstreamManager(nc), namespace, streamNames(namespace).events);
  }

  async lastSeq(): Promise<number> {
    return (await this.jsm.streams.info(this.stream)).state.last_seq;
  }

  /** How many messages the stream holds per event type (any version; a subject of no event type as itself). */
  async countsByType(): Promise<Map<string, number>> {
    const info = await this.jsm.streams.info(this.stream, { subjects_filter: '>' });
    const out = new Map<string, number>();
    for (const [subject, n] of Object.entries(info.state.subjects ?? {})) {
      const type = parseSubject(this.namespace, subject)?.type ?? subject;
      out.set(type, (out.get(type) ?? 0) + n);
    }
    return out;
  }

  async consumers(): Promise<ConsumerState[]> {
    const out: ConsumerState[] = [];
    for await (const c of this.jsm.consumers.list(this.stream))
      out.push({ name: c.name, pending: c.num_pending, ackPending: c.num_ack_pending });
    return out;
  }

  /**
   * Waits until nothing is left to deliver: the given services' outboxes are empty, the stream stops
   * growing, and every durable consumer has everything acknowledged, twice in a row.
   */
  async waitIdle(sys: BenchSystem, publishers: readonly Service[], timeoutMs: number, minConsumers = 1): Promise<number> {
    const start = performance.now();
    let calm = 0;
    let lastSeq = -1;
    for (;;) {
      let pendingOutbox = 0;
      for (const s of publishers) pendingOutbox += (await sys.metric(s, 'bz_outbox_pending').catch(() => 0)) ?? 0;
      const seq = await this.lastSeq();
      const cs = await this.consumers();
      const busy = cs.filter((c) => c.pending > 0 || c.ackPending > 0);
      if (pendingOutbox === 0 && seq === lastSeq && busy.length === 0 && cs.length >= minConsumers) calm += 1;
      else calm = 0;
      lastSeq = seq;
      if (calm >= 2) return (performance.now() - start) / 1000;
      if (performance.now() - start > timeoutMs) {
        throw new Error(
          `not idle after ${Math.round(timeoutMs / 1000)} s: outbox ${pendingOutbox}, consumers ${cs.map((c) => `${c.name}=${c.pending}+${c.ackPending}`).join(' ') || 'none'}`,
        );
      }
      await sleep(500);
    }
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
