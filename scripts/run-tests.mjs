#!/usr/bin/env node
// Runs node's test runner over an explicit list of test files (Node 20 does not expand globs).
// Fails when the list is empty so a broken discovery can never pass as "0 tests".
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// ui/: the dashboard's pure modules have their tests beside them; test/ui/ drives a browser.
const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'test', 'ui'];

function collect(dir, out) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (/\.test\.ts$/.test(entry)) out.push(relative(root, path));
  }
  return out;
}

const files = roots.flatMap((r) => collect(join(root, r), [])).sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under', roots.join(', '));
  process.exit(1);
}
console.log(`run-tests: ${files.length} test files`);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
