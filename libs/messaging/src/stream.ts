import { DiscardPolicy, jetstream, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import type { NatsLink } from './nats-link';
import { nanos } from '@nats-io/nats-core';

export interface StreamNames {
  /** Holds every event of the deployment, kept for replay from sequence 1. */
  readonly events: string;
  readonly eventSubjects: string;
  /** Poison messages, with the consumer, the error and the delivery count. */
  readonly deadLetters: string;
  readonly deadLetterSubjectPrefix: string;
}

export function streamNames(namespace: string): StreamNames {
  const upper = namespace.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return {
    events: `${upper}_EVENTS`,
    eventSubjects: `${namespace}.>`,
    deadLetters: `${upper}_DLQ`,
    deadLetterSubjectPrefix: `${namespace}_dlq`,
  };
}

export interface StreamSetupOptions {
  readonly namespace: string;
  readonly replicas?: number;
  /** The server drops a second publish with the same Nats-Msg-Id within this window. */
  readonly duplicateWindowMs?: number;
}

/**
 * Creates the two streams when missing. When they exist, compares every setting we choose and reports
 * each mismatch instead of changing a stream other services rely on (an operator decides: a stream's
 * storage cannot be changed in place, and a shorter retention would silently lose replay history).
 * Safe to run from every service at boot, at the same time.
 */
export async function ensureStreams(jsm: JetStreamManager, options: StreamSetupOptions): Promise<string[]> {
  const names = streamNames(options.namespace);
  const duplicateWindow = nanos(options.duplicateWindowMs ?? 2 * 60 * 1000);
  const wanted: Array<Partial<StreamConfig> & { name: string }> = [
    {
      name: names.events,
      subjects: [names.eventSubjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: 0,
      max_msgs: -1,
      max_bytes: -1,
      duplicate_window: duplicateWindow,
      num_replicas: options.replicas ?? 1,
    },
    {
      name: names.deadLetters,
      subjects: [`${names.deadLetterSubjectPrefix}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      duplicate_window: duplicateWindow,
      num_replicas: options.replicas ?? 1,
    },
  ];
  const mismatches: string[] = [];
  for (const cfg of wanted) {
    let existing: StreamConfig | null = null;
    try {
      existing = (await jsm.streams.info(cfg.name)).config;
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
    }
    if (!existing) {
      try {
        await jsm.streams.add(cfg);
        continue;
      } catch (err) {
        // Another service created it between our look and our add: compare with theirs.
        if (!/already in use|exists/i.test((err as Error).message)) throw err;
        existing = (await jsm.streams.info(cfg.name)).config;
      }
    }
    for (const key of Object.keys(cfg) as Array<keyof StreamConfig>) {
      if (key === 'name') continue;
      const a = JSON.stringify(existing[key]);
      const b = JSON.stringify(cfg[key]);
      if (a !== b) mismatches.push(`stream ${cfg.name}: ${key} is ${a}, expected ${b}`);
    }
  }
  return mismatches;
}

/** Deletes a durable consumer so that the next start replays the stream from sequence 1 (rebuilds). */
export async function deleteDurable(link: NatsLink, namespace: string, durable: string): Promise<boolean> {
  const nc = await link.whenConnected();
  const jsm = await jetstream(nc).jetstreamManager();
  try {
    return await jsm.consumers.delete(streamNames(namespace).events, durable);
  } catch (err) {
    if (/not found/i.test((err as Error).message)) return false;
    throw err;
  }
}
