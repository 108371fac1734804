import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newMember } from '../core/member/member-defaults.ts';
import { newNetwork } from '../core/network/network-defaults.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { ControllerService } from './controller-service.ts';

const CONTROLLER = 'f8ea0e7924';
const identityOf = (address: string, fill: string) => `${address}:0:${fill.repeat(64)}`;

describe('ControllerService.pinnedIdentity', () => {
  let dir: string;
  let store: Store;
  let service: ControllerService;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-pinned-'));
    store = await openSqliteStore({ file: join(dir, 'controller.db') });
    service = new ControllerService({ store, controllerAddress: CONTROLLER });
    await store.transaction(async (tx) => {
      for (const id of [`${CONTROLLER}000001`, `${CONTROLLER}000002`]) await tx.putNetwork(newNetwork(id, 1));
      // Imported members: pinned on the record, never validated here.
      await tx.putMember({
        ...newMember(`${CONTROLLER}000002`, 'aaaaaaaaaa', 1),
        identity: identityOf('aaaaaaaaaa', 'ab'),
      });
      await tx.putMember(newMember(`${CONTROLLER}000001`, 'bbbbbbbbbb', 1));
      await tx.putMember({
        ...newMember(`${CONTROLLER}000001`, 'cccccccccc', 1),
        identity: identityOf('cccccccccc', 'cd'),
      });
      await tx.rememberIdentity('cccccccccc', identityOf('cccccccccc', 'ef'), 1);
    });
  });
  after(async () => {
    await service.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds an identity pinned on a member record of any network', async () => {
    assert.equal(await service.pinnedIdentity('aaaaaaaaaa'), identityOf('aaaaaaaaaa', 'ab'));
  });

  it('prefers one validated here before', async () => {
    assert.equal(await service.pinnedIdentity('cccccccccc'), identityOf('cccccccccc', 'ef'));
  });

  it('knows nothing of members without a pin or of strangers', async () => {
    assert.equal(await service.pinnedIdentity('bbbbbbbbbb'), undefined);
    assert.equal(await service.pinnedIdentity('dddddddddd'), undefined);
  });
});
