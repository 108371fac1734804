#!/usr/bin/env node
// Builds the dashboard (ui/) with Vite into dist/ui, or into `--out-dir <dir>`, and writes a .br
// and a .gz beside every text file so the server sends them compressed without compressing on each
// request. Prints the gzipped total. Skips with a warning when Vite is not installed (an install
// without dev dependencies): the controller then says at /ui how to build it.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const outFlag = args.indexOf('--out-dir');
const outDir = resolve(outFlag === -1 ? join(root, 'dist', 'ui') : args[outFlag + 1]);

let vite;
try {
  createRequire(import.meta.url).resolve('vite');
  vite = await import('vite');
} catch {
  console.warn('build-ui: vite is not installed (dev dependencies left out?); the dashboard is not built');
  process.exit(0);
}

await vite.build({
  configFile: join(root, 'ui', 'vite.config.ts'),
  logLevel: 'warn',
  build: { outDir, emptyOutDir: true },
});

const COMPRESS = /\.(js|css|html|svg|json|txt)$/;
let gzipTotal = 0;
const walk = (dir) => {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (COMPRESS.test(entry)) {
      const bytes = readFileSync(path);
      const gz = gzipSync(bytes, { level: 9 });
      gzipTotal += gz.length;
      writeFileSync(`${path}.gz`, gz);
      writeFileSync(
        `${path}.br`,
        brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      );
    }
  }
};
walk(outDir);
console.log(`build-ui: dashboard in ${outDir} (${(gzipTotal / 1024).toFixed(1)} kB gzipped)`);
