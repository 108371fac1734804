import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newNetwork } from '../core/network/network-defaults.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';
import { NetworkCache } from './network-cache.ts';

const ID = 'f8ea0e7924000001';

describe('NetworkCache', () => {
  it('loads once and serves from memory until invalidated', async () => {
    let loads = 0;
    const cache = new NetworkCache(async () => {
      loads++;
      return { ...newNetwork(ID, 1), revision: loads };
    });
    assert.equal((await cache.get(ID))?.revision, 1);
    assert.equal((await cache.get(ID))?.revision, 1);
    assert.equal(loads, 1);
    cache.invalidate(ID);
    assert.equal((await cache.get(ID))?.revision, 2);
  });

  it('does not cache a read that raced with a change (stale-forever bug)', async () => {
    let release: (value: NetworkRecord) => void = () => {};
    let calls = 0;
    const cache = new NetworkCache(
      () =>
        new Promise<NetworkRecord>((resolve) => {
          calls++;
          if (calls === 1) release = resolve;
          else resolve({ ...newNetwork(ID, 1), revision: 2 });
        }),
    );
    const slow = cache.get(ID);
    cache.invalidate(ID); // a write committed while the first read was in flight
    release({ ...newNetwork(ID, 1), revision: 1 });
    assert.equal((await slow)?.revision, 1, 'the racing read still answers its caller');
    assert.equal((await cache.get(ID))?.revision, 2, 'but it was not cached');
  });

  it('does not cache misses', async () => {
    let loads = 0;
    const cache = new NetworkCache(async () => {
      loads++;
      return undefined;
    });
    await cache.get(ID);
    await cache.get(ID);
    assert.equal(loads, 2);
  });
});
