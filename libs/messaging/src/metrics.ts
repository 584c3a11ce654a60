import { Counter, Gauge, register } from 'prom-client';

/** A counter registered once per process (a second module instance, as in tests, gets the same one). */
export function metricCounter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (register.getSingleMetric(name) as Counter<string>) ?? new Counter({ name, help, labelNames });
}
/** A gauge registered once per process. */
export function metricGauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  return (register.getSingleMetric(name) as Gauge<string>) ?? new Gauge({ name, help, labelNames });
}

export const consumerMetrics = {
  consumed: metricCounter('bz_events_consumed_total', 'Events applied by a consumer (first delivery or not), by type', [
    'consumer',
    'type',
  ]),
  duplicates: metricCounter('bz_events_duplicate_total', 'Events skipped because the inbox had them already', ['consumer']),
  failed: metricCounter('bz_events_failed_total', 'Handler failures (each failed delivery counts)', ['consumer']),
  deadLettered: metricCounter('bz_events_dead_lettered_total', 'Events moved to the dead-letter stream', ['consumer', 'reason']),
  redelivered: metricCounter('bz_events_redelivered_total', 'Deliveries that were not the first', ['consumer']),
  lagMessages: metricGauge('bz_consumer_lag_messages', 'Messages in the stream not yet delivered to the consumer', ['consumer']),
  lagSeconds: metricGauge('bz_consumer_lag_seconds', 'Age of the last event applied when it was applied', ['consumer']),
  lastAppliedAt: metricGauge('bz_consumer_last_applied_timestamp_seconds', 'When the consumer last applied an event', ['consumer']),
  gaps: metricCounter(
    'bz_events_gaps_total',
    "Gaps found in a producer subject's numbers (events the stream acknowledged and lost), each counted once",
    ['consumer', 'subject'],
  ),
  missing: metricCounter('bz_events_missing_total', "Events found missing by the gap check (the sum of the gaps' lengths)", [
    'consumer',
    'subject',
  ]),
  pruned: metricCounter('bz_inbox_pruned_total', "Inbox rows deleted below the gap check's watermark (pruneApplied)", ['consumer']),
  unrecoverable: metricCounter(
    'bz_events_unrecoverable_total',
    'Missing events the producer no longer holds (older than its outbox retention): lost for good',
    ['consumer', 'subject'],
  ),
};

/** Where the pending gauge reads from at scrape time, by service (the relay's `pendingCount`). */
const pendingSources = new Map<string, () => Promise<number>>();

export const publisherMetrics = {
  published: metricCounter('bz_outbox_published_total', 'Outbox rows acknowledged by the stream', ['service']),
  republished: metricCounter('bz_events_republished_total', 'Events published again because a consumer found them missing', ['service']),
  pending:
    (register.getSingleMetric('bz_outbox_pending') as Gauge<string>) ??
    new Gauge({
      name: 'bz_outbox_pending',
      help: 'Outbox rows not yet acknowledged by the stream (read at scrape time, counted up to 10,000)',
      labelNames: ['service'],
      async collect() {
        for (const [service, read] of pendingSources) {
          const n = await read().catch(() => Number.NaN);
          this.set({ service }, n);
        }
      },
    }),
};

/** Makes `bz_outbox_pending{service}` read the service's outbox when scraped. */
export function reportOutboxPending(service: string, read: () => Promise<number>): void {
  pendingSources.set(service, read);
}
