// The V8 flags a service's process runs with, the same however it is started: the launcher (npm start), the
// tests and benchmarks (tools/processes), npm run rebuild and the Docker image (scripts/docker-entrypoint.sh,
// which runs this file with the service's name and puts what it prints on node's command line). Heap sizes are
// fixed when the process starts: they cannot be set from inside it.
//
// The services that turn events over in batches (intake's relay, rates, compliance) allocate a batch's rows,
// envelopes and JSON at a time; with V8's default young generation (16 MB semi-spaces) they were 16–22% of their
// busy time in the garbage collector (profiles of the pipeline and rebuild benchmarks, 2026-12-06), the survivors
// of one batch copied again and again. 64 MB semi-spaces hold a batch's garbage until it is dead: compliance's CPU
// per replayed event 56 → 48 µs (paired rebuild runs), at up to ~100 MB more resident memory each. The others keep
// V8's default (workforce bounds its own memory while it streams a roster).
'use strict';

const LARGER_YOUNG_GENERATION = new Set(['intake', 'rates', 'compliance']);

/** The node flags (before the script) for one service. */
function nodeFlags(service) {
  return LARGER_YOUNG_GENERATION.has(service) ? ['--max-semi-space-size=64'] : [];
}

module.exports = { nodeFlags };

if (require.main === module) process.stdout.write(nodeFlags(process.argv[2] ?? '').join(' '));
