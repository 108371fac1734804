#!/usr/bin/env node
// Compiles src/ to dist/ and stamps the build, so bin/routeplane.mjs knows it is current; then
// builds the dashboard into dist/ui (scripts/build-ui.mjs).
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
rmSync(`${root}dist`, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);
const ui = spawnSync(process.execPath, [`${root}scripts/build-ui.mjs`], { cwd: root, stdio: 'inherit' });
if (ui.status !== 0) process.exit(ui.status ?? 1);
// The stamp's time is when the build started: a source saved during the build makes it stale.
writeFileSync(`${root}dist/.build-stamp`, `${new Date(started).toISOString()}\n`);
const { utimesSync } = await import('node:fs');
utimesSync(`${root}dist/.build-stamp`, started / 1000, started / 1000);
