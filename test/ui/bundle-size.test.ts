// The dashboard stays small: everything the browser downloads (HTML, JS, CSS, icon), gzipped, is
// under 150 kB. Prints the figure. Reproduce: node --import tsx --test test/ui/bundle-size.test.ts
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { builtUi } from './ui-build.ts';

const LIMIT_BYTES = 150_000;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('dashboard bundle', () => {
  it(`is under ${LIMIT_BYTES / 1000} kB gzipped`, () => {
    const dir = builtUi();
    // The pre-compressed copies are alternatives to their originals, not extra downloads.
    const served = files(dir).filter((f) => !/\.(gz|br)$/.test(f));
    let raw = 0;
    let gzipped = 0;
    const lines: string[] = [];
    for (const file of served) {
      const bytes = readFileSync(file);
      const gz = gzipSync(bytes, { level: 9 }).length;
      raw += bytes.length;
      gzipped += gz;
      lines.push(
        `#   ${relative(dir, file)}: ${(bytes.length / 1000).toFixed(1)} kB, ${(gz / 1000).toFixed(1)} kB gzipped`,
      );
    }
    console.log(lines.join('\n'));
    console.log(
      `# dashboard bundle: ${(gzipped / 1000).toFixed(1)} kB gzipped (${(raw / 1000).toFixed(1)} kB raw), limit ${LIMIT_BYTES / 1000} kB`,
    );
    assert.ok(
      served.some((f) => f.endsWith('.js')) && served.some((f) => f.endsWith('index.html')),
      'a real build',
    );
    assert.ok(gzipped < LIMIT_BYTES, `${gzipped} bytes gzipped`);
  });
});
