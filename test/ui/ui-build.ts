// The dashboard as the tests see it: built from the current ui/ sources with the real build script,
// once per content (a hash of the sources names the directory), so every test file shares one
// build and a stale dist/ui can never be what is tested.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INPUTS = ['ui', 'scripts/build-ui.mjs', 'package-lock.json'];

function sourceHash(): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry === 'node_modules' || entry === 'dist' || entry.endsWith('.test.ts')) continue;
        add(join(path, entry));
      }
    } else {
      hash.update(relative(ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const input of INPUTS) add(join(ROOT, input));
  return hash.digest('hex').slice(0, 16);
}

/** Directory of a build of the current sources (built now if there is none yet). */
export function builtUi(): string {
  const dir = join(ROOT, '.tmp', 'ui-build', sourceHash());
  if (existsSync(join(dir, 'index.html'))) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-ui.mjs'), '--out-dir', partial], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0 || !existsSync(join(partial, 'index.html')))
    throw new Error(`building the dashboard failed:\n${result.stdout}\n${result.stderr}`);
  try {
    renameSync(partial, dir);
  } catch {
    // Another test file built the same sources meanwhile: use theirs.
    rmSync(partial, { recursive: true, force: true });
  }
  return dir;
}
