import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { closeIdentityWorkers } from '../../protocol/identity-pool.ts';
import { sharedPath } from '../../protocol/test-vectors.ts';
import { IDENTITY_SETTING } from '../../protocol/controller-identity.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { CliError } from '../cli-error.ts';
import {
  knownIdentities,
  otherIdentities,
  readIdentitySecret,
  writeIdentityFiles,
} from './controller-identity.ts';

const recorded = (run: string, kind: 'secret' | 'public') =>
  readFileSync(sharedPath('zerotier', run, `controller-identity.${kind}`), 'utf8').trim();
const BASELINE = recorded('run-baseline', 'secret');
const NOAES = recorded('run-noaes-proto11', 'secret');

describe('controller identity in a takeover', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-identity-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  after(() => closeIdentityWorkers());

  const refuses = async (pattern: RegExp) =>
    assert.rejects(readIdentitySecret(dir, 'The import'), (error: unknown) => {
      assert.ok(error instanceof CliError, String(error));
      assert.match(error.message, pattern);
      return true;
    });

  it('reads and validates identity.secret, checked against identity.public', async () => {
    writeFileSync(join(dir, 'identity.secret'), `${BASELINE}\n`);
    writeFileSync(join(dir, 'identity.public'), `${recorded('run-baseline', 'public')}\n`);
    const identity = await readIdentitySecret(dir, 'The import');
    assert.equal(identity.address, 'f8ea0e7924');
    assert.equal(identity.toString(true), BASELINE);
  });

  it('refuses a missing, public-only, mismatched or forged identity, naming the file', async () => {
    await refuses(/identity\.secret: not found\. The import needs the controller identity/);
    writeFileSync(join(dir, 'identity.secret'), recorded('run-baseline', 'public'));
    await refuses(/holds only a public identity/);
    writeFileSync(join(dir, 'identity.secret'), 'f8ea0e7924:0:zz');
    await refuses(/identity\.secret: not a valid identity/);
    // Same keys, another address: parses, but the address does not derive from the key.
    writeFileSync(join(dir, 'identity.secret'), `f8ea0e7925${BASELINE.slice(10)}`);
    await refuses(/identity f8ea0e7925 does not validate/);
    writeFileSync(join(dir, 'identity.secret'), BASELINE);
    writeFileSync(join(dir, 'identity.public'), recorded('run-noaes-proto11', 'public'));
    await refuses(/identity\.public: does not match identity\.secret \(controller f8ea0e7924\)/);
  });

  it('knows the identities of a data dir file and of the store setting, and which differ', async () => {
    assert.deepEqual(await knownIdentities(dir, undefined), []);
    writeFileSync(join(dir, 'identity.secret'), NOAES);
    const store = await openSqliteStore({ file: join(dir, 'controller.db') });
    try {
      await store.transaction((tx) => tx.setSetting(IDENTITY_SETTING, 'garbage'));
      const known = await knownIdentities(dir, store);
      assert.deepEqual(
        known.map((k) => [k.address, k.where]),
        [
          ['6951fba29a', join(dir, 'identity.secret')],
          ['unreadable', `the store setting ${IDENTITY_SETTING} (does not parse)`],
        ],
      );
      writeFileSync(join(dir, 'identity.secret'), BASELINE);
      const baseline = await readIdentitySecret(dir, 'x');
      await store.transaction((tx) => tx.setSetting(IDENTITY_SETTING, BASELINE));
      assert.deepEqual(otherIdentities(baseline, await knownIdentities(dir, store)), []);
      await store.transaction((tx) => tx.setSetting(IDENTITY_SETTING, NOAES));
      assert.deepEqual(
        otherIdentities(baseline, await knownIdentities(dir, store)).map((k) => k.address),
        ['6951fba29a'],
      );
    } finally {
      await store.close();
    }
  });

  it('writes identity.secret 0600 and identity.public 0644; undo puts back what was there', async () => {
    writeFileSync(join(dir, 'identity.secret'), BASELINE);
    const baseline = await readIdentitySecret(dir, 'x');
    writeFileSync(join(dir, 'identity.secret'), NOAES, { mode: 0o600 });
    const undo = await writeIdentityFiles(dir, baseline);
    assert.equal(readFileSync(join(dir, 'identity.secret'), 'utf8'), BASELINE);
    assert.equal(readFileSync(join(dir, 'identity.public'), 'utf8'), baseline.toString(false));
    assert.equal(statSync(join(dir, 'identity.secret')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'identity.public')).mode & 0o777, 0o644);
    await undo();
    assert.equal(readFileSync(join(dir, 'identity.secret'), 'utf8'), NOAES);
    assert.equal(existsSync(join(dir, 'identity.public')), false, 'there was none before');
  });
});
