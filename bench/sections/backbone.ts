import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, Section } from '../support/context';
import { adminDatabaseUrl, natsUrl, repoRoot } from '../support/env';
import type { Row } from '../support/report';

/**
 * The event backbone's own benchmark (bench/backbone.ts, written and owned apart from this suite: outbox
 * relay, batch consumers) run as a child process, its table read back into this report.
 */
export const backboneSection: Section = {
  name: 'backbone',
  title: 'Event backbone (bench/backbone.ts): outbox relay and batch consumer throughput',
  async run(ctx: BenchContext, rows: Row[]) {
    const root = repoRoot();
    const script = join(root, 'dist', 'bench', 'backbone.js');
    if (!existsSync(script)) throw new Error(`${script} is missing: bench/backbone.ts is not built yet`);
    const events = ctx.quick ? 2_000 : 10_000;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', join(root, 'scripts', 'register-paths.js'), script], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: adminDatabaseUrl(), NATS_URL: natsUrl(), BENCH_EVENTS: String(events) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), ctx.quick ? 300_000 : 600_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else reject(new Error(`backbone.js exited with ${code}: ${stderr.slice(-400).replace(/\s+/g, ' ')}`));
      });
    });
    let found = 0;
    for (const line of out.split('\n')) {
      const cols = line.split('|').map((c) => c.trim());
      if (cols.length !== 4 || !/^\d+$/.test(cols[1]) || !/^\d+$/.test(cols[3])) continue;
      found += 1;
      const raw = cols[0].startsWith('raw JetStream');
      rows.push({
        section: 'backbone',
        measure: cols[0],
        value: Number(cols[3]),
        unit: 'events/s',
        detail: `${Number(cols[1]).toLocaleString('en-US')} events in ${cols[2]} s`,
        limit: raw ? undefined : ctx.limits.jetstreamPublish,
      });
    }
    if (!found) throw new Error(`backbone.js printed no table: ${out.slice(-300)}`);
  },
};
