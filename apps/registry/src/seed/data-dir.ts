import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The repository's data/ folder, found by walking up from this file (so it works from dist/apps/… and
 * from the sources under ts-jest) and then from the working directory; SEED_DATA_DIR wins when set.
 */
export function resolveDataDir(configured?: string, probe = 'tra-vinh-units.csv'): string {
  if (configured) return resolve(configured);
  for (const start of [__dirname, process.cwd()]) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, 'data');
      if (existsSync(join(candidate, probe))) return candidate;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new Error(`cannot find the data/ folder with ${probe} above ${__dirname} or ${process.cwd()}; set SEED_DATA_DIR`);
}
