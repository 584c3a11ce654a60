import { Gauge, register } from 'prom-client';

/** Time of the newest event applied to the live read model, kept in memory for /metrics. */
let lastOccurredAtMs = 0;

export function noteApplied(occurredAt: string): void {
  const t = Date.parse(occurredAt);
  if (t > lastOccurredAtMs) lastOccurredAtMs = t;
}

function gauge(name: string, help: string, collect: (g: Gauge<string>) => void): void {
  if (register.getSingleMetric(name)) return;
  new Gauge({
    name,
    help,
    labelNames: ['projection'],
    collect() {
      collect(this);
    },
  });
}

gauge('bz_projection_last_event_occurred_timestamp_seconds', 'occurredAt of the newest event applied to the read model', (g) => {
  if (lastOccurredAtMs) g.set({ projection: 'compliance' }, lastOccurredAtMs / 1000);
});
gauge('bz_projection_staleness_seconds', 'Seconds since the occurredAt of the newest event applied to the read model', (g) => {
  if (lastOccurredAtMs) g.set({ projection: 'compliance' }, Math.max(0, (Date.now() - lastOccurredAtMs) / 1000));
});
