import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sharedPath } from '../../protocol/test-vectors.ts';
import { adoptPlanet } from './planet-adoption.ts';

// The recorded runs used a private planet whose only root was the controller itself.
const BASELINE_PLANET = sharedPath('zerotier', 'run-baseline', 'planet.bin');
const OTHER_PLANET = sharedPath('zerotier', 'run-noaes-proto11', 'planet.bin');

describe('adoptPlanet', () => {
  let home: string;
  let dataDir: string;
  beforeEach(() => {
    const root = mkdtempSync(join(tmpdir(), 'routeplane-planet-'));
    home = join(root, 'home');
    dataDir = join(root, 'data');
    mkdirSync(home);
    mkdirSync(dataDir);
  });
  afterEach(() => rmSync(join(home, '..'), { recursive: true, force: true }));

  it("copies the home's planet where serve looks for it; a dry run only says it would", async () => {
    copyFileSync(BASELINE_PLANET, join(home, 'planet'));
    const dry = await adoptPlanet(home, dataDir, 'f8ea0e7924', false);
    assert.equal(dry.action, 'would-copy');
    assert.equal(existsSync(join(dataDir, 'planet')), false);
    const done = await adoptPlanet(home, dataDir, 'f8ea0e7924', true);
    assert.equal(done.action, 'copied');
    assert.match(done.note, /this controller is its root, as before/);
    assert.deepEqual(readFileSync(join(dataDir, 'planet')), readFileSync(BASELINE_PLANET));
    assert.equal(statSync(join(dataDir, 'planet')).mode & 0o777, 0o644);
    assert.equal((await adoptPlanet(home, dataDir, 'f8ea0e7924', true)).action, 'same');
  });

  it('names the roots when the controller is not one of them', async () => {
    copyFileSync(BASELINE_PLANET, join(home, 'planet'));
    const done = await adoptPlanet(home, dataDir, '6951fba29a', true);
    assert.match(done.note, /members reach this controller through its roots \(f8ea0e7924\)/);
  });

  it('keeps a different planet already in the data dir, and says how to serve', async () => {
    copyFileSync(BASELINE_PLANET, join(home, 'planet'));
    copyFileSync(OTHER_PLANET, join(dataDir, 'planet'));
    const result = await adoptPlanet(home, dataDir, 'f8ea0e7924', true);
    assert.equal(result.action, 'kept');
    assert.match(result.note, /--planet .*home\/planet/);
    assert.deepEqual(readFileSync(join(dataDir, 'planet')), readFileSync(OTHER_PLANET));
  });

  it('copies nothing when the home has no planet or an invalid one', async () => {
    assert.equal((await adoptPlanet(home, dataDir, 'f8ea0e7924', true)).action, 'none');
    writeFileSync(join(home, 'planet'), 'not a planet');
    const invalid = await adoptPlanet(home, dataDir, 'f8ea0e7924', true);
    assert.equal(invalid.action, 'invalid');
    assert.equal(existsSync(join(dataDir, 'planet')), false);
  });
});
