// The V8 flags a service's process runs with, the same however it is started: the launcher (npm start), the
// tests and benchmarks (tools/processes), npm run rebuild and the Docker image (scripts/docker-entrypoint.sh,
// which runs this file with the service's name and puts what it prints on node's command line). Heap sizes are
// fixed when the process starts: they cannot be set from inside it.
//
// The services that turn events over in batches (intake's relay, rates, compliance) allocate a batch's rows,
// envelopes and JSON at a time; with V8's default young generation (16 MB semi-spaces) they were 16–22% of their
// busy time in the garbage collector (profiles of the pipeline and rebuild benchmarks, 2026-12-06), the survivors
// of one batch copied again and again. 64 MB semi-spaces hold a batch's garbage until it is dead: compliance's CPU
// per replayed event 56 → 48 µs (paired rebuild runs), at up to ~100 MB more resident memory each.
//
// Workforce streams rosters within a memory bound of its own (ROSTER_* limits, ≤ 300 MB resident in the benchmark).
// What it keeps while a file streams is small (~45 MB of heap live after each full collection during a 1,000,000-row
// CSV), but V8 let the old generation grow to ~4× what survived before collecting again: the heap swung between ~45
// and ~205 MB, and the upload peaked at 302–308 MB resident (--trace-gc, 2026-12-07). Growing it at most 2× between
// collections (heap_growing_percent=100) collects sooner, with as little to mark each time. The others keep V8's default.
'use strict';

const LARGER_YOUNG_GENERATION = new Set(['intake', 'rates', 'compliance']);

/** The node flags (before the script) for one service. */
function nodeFlags(service) {
  if (LARGER_YOUNG_GENERATION.has(service)) return ['--max-semi-space-size=64'];
  if (service === 'workforce') return ['--heap-growing-percent=100'];
  return [];
}

module.exports = { nodeFlags };

if (require.main === module) process.stdout.write(nodeFlags(process.argv[2] ?? '').join(' '));
