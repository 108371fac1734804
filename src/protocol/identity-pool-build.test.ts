// The worker must also start from a compiled build (plain node, no tsx): compile the pool with
// the build's module settings into a temporary folder and run it there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readSharedJson } from './test-vectors.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const vectors = readSharedJson<{ identities: { publicString: string }[] }>(
  'zerotier',
  'identity-vectors.json',
);

test('compiled to .js, the pool starts its worker without tsx and does not keep node alive', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'routeplane-build-'));
  try {
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const tsc = spawnSync(
      process.execPath,
      [
        join(repo, 'node_modules/typescript/bin/tsc'),
        ...['--outDir', join(dir, 'out'), '--rootDir', join(repo, 'src')],
        ...[
          '--module',
          'NodeNext',
          '--moduleResolution',
          'NodeNext',
          '--target',
          'ES2022',
          '--lib',
          'ES2023',
        ],
        ...['--types', 'node', '--strict', '--skipLibCheck', '--rewriteRelativeImportExtensions'],
        join(repo, 'src/protocol/identity-pool.ts'),
        join(repo, 'src/protocol/identity-worker.ts'),
      ],
      { encoding: 'utf8', cwd: repo },
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    const script = `import { validateIdentity, generateIdentity } from './out/protocol/identity-pool.js';
      import { Identity } from './out/protocol/identity.js';
      const ok = await validateIdentity(Identity.parse(${JSON.stringify(vectors.identities[2]!.publicString)}));
      const generated = await generateIdentity();
      console.log(JSON.stringify({ ok, generatedValid: generated.locallyValidate() }));`;
    // No tsx anywhere: plain node on the emitted JavaScript, and no closeIdentityWorkers() call.
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000, // only catches a hang; generous for loaded CI machines
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.equal(run.signal, null, 'killed by the timeout: a worker kept the process alive or hung');
    assert.equal(run.stderr, '');
    assert.deepEqual(JSON.parse(run.stdout), { ok: true, generatedValid: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
