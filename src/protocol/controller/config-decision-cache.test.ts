import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newMember } from '../../core/member/member-defaults.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import { ConfigDecisionCache } from './config-decision-cache.ts';

const NWID = '8056c2e21c000001';
const network = { id: NWID, revision: 3 } as NetworkRecord;
const member = (address: string) => ({ ...newMember(NWID, address, 0), authorized: true });

test('answers a repeat with the same identity and version until a change or max age', () => {
  const cache = new ConfigDecisionCache({ maxAgeMs: 1000 });
  const token = cache.token(NWID, 'aaaaaaaaaa');
  cache.set({ network, member: member('aaaaaaaaaa') }, 'id-a', '1.14.1.12', token, 0);
  assert.equal(cache.get(NWID, 'aaaaaaaaaa', 'id-a', '1.14.1.12', 500)?.member.address, 'aaaaaaaaaa');
  assert.equal(cache.get(NWID, 'aaaaaaaaaa', 'id-b', '1.14.1.12', 500), undefined, 'other identity');
  cache.set(
    { network, member: member('aaaaaaaaaa') },
    'id-a',
    '1.14.1.12',
    cache.token(NWID, 'aaaaaaaaaa'),
    0,
  );
  assert.equal(cache.get(NWID, 'aaaaaaaaaa', 'id-a', '1.14.2.12', 500), undefined, 'other version');
  cache.set(
    { network, member: member('aaaaaaaaaa') },
    'id-a',
    '1.14.1.12',
    cache.token(NWID, 'aaaaaaaaaa'),
    0,
  );
  assert.equal(cache.get(NWID, 'aaaaaaaaaa', 'id-a', '1.14.1.12', 1000), undefined, 'too old');
});

test('a member change drops that member; a network change drops the whole network', () => {
  const cache = new ConfigDecisionCache();
  for (const address of ['aaaaaaaaaa', 'bbbbbbbbbb']) {
    cache.set({ network, member: member(address) }, `id-${address}`, 'v', cache.token(NWID, address), 0);
  }
  cache.onChange({
    kind: 'member-changed',
    networkId: NWID,
    address: 'aaaaaaaaaa',
    revision: 2,
    authorized: true,
    wasAuthorized: true,
  });
  assert.equal(cache.get(NWID, 'aaaaaaaaaa', 'id-aaaaaaaaaa', 'v', 1), undefined);
  assert.ok(cache.get(NWID, 'bbbbbbbbbb', 'id-bbbbbbbbbb', 'v', 1));
  cache.onChange({ kind: 'network-changed', networkId: NWID, revision: 4 });
  assert.equal(cache.get(NWID, 'bbbbbbbbbb', 'id-bbbbbbbbbb', 'v', 1), undefined);
});

test('an answer read before a concurrent change is not kept', () => {
  const cache = new ConfigDecisionCache();
  const memberToken = cache.token(NWID, 'aaaaaaaaaa');
  cache.onChange({
    kind: 'member-changed',
    networkId: NWID,
    address: 'aaaaaaaaaa',
    revision: 2,
    authorized: false,
    wasAuthorized: true,
  });
  cache.set({ network, member: member('aaaaaaaaaa') }, 'id', 'v', memberToken, 0);
  assert.equal(cache.get(NWID, 'aaaaaaaaaa', 'id', 'v', 1), undefined);
  const networkToken = cache.token(NWID, 'aaaaaaaaaa');
  cache.onChange({ kind: 'network-changed', networkId: NWID, revision: 4 });
  cache.set({ network, member: member('aaaaaaaaaa') }, 'id', 'v', networkToken, 0);
  assert.equal(cache.get(NWID, 'aaaaaaaaaa', 'id', 'v', 1), undefined);
});

test('bounded: the least recently used answer goes first; maxAgeMs 0 disables', () => {
  const cache = new ConfigDecisionCache({ maxEntries: 2 });
  for (const address of ['aaaaaaaaaa', 'bbbbbbbbbb']) {
    cache.set({ network, member: member(address) }, 'id', 'v', cache.token(NWID, address), 0);
  }
  assert.ok(cache.get(NWID, 'aaaaaaaaaa', 'id', 'v', 1)); // a is now the most recent
  cache.set({ network, member: member('cccccccccc') }, 'id', 'v', cache.token(NWID, 'cccccccccc'), 0);
  assert.equal(cache.size, 2);
  assert.equal(cache.get(NWID, 'bbbbbbbbbb', 'id', 'v', 1), undefined);
  const off = new ConfigDecisionCache({ maxAgeMs: 0 });
  off.set({ network, member: member('aaaaaaaaaa') }, 'id', 'v', off.token(NWID, 'aaaaaaaaaa'), 0);
  assert.equal(off.size, 0);
});

test('set gives back the answer as hits will give it: one network record per revision, from the first request on', () => {
  const cache = new ConfigDecisionCache();
  const first = member('aaaaaaaaaa');
  const kept = cache.set({ network, member: first }, 'id-a', 'v', cache.token(NWID, 'aaaaaaaaaa'), 0);
  assert.equal(kept.network, network);
  assert.equal(kept.member, first);
  // Another member's answer read with its own copy of the same revision: the shared record comes back.
  const copy = { ...network };
  const second = member('bbbbbbbbbb');
  const keptSecond = cache.set(
    { network: copy, member: second },
    'id-b',
    'v',
    cache.token(NWID, 'bbbbbbbbbb'),
    0,
  );
  assert.equal(keptSecond.network, network, 'the record kept for revision 3, not the copy');
  assert.equal(cache.get(NWID, 'bbbbbbbbbb', 'id-b', 'v', 1)?.network, keptSecond.network);
  // An answer read before a change is not kept: it comes back as it was given.
  const token = cache.token(NWID, 'cccccccccc');
  cache.onChange({ kind: 'network-changed', networkId: NWID, revision: 4 });
  const stale = { network: copy, member: member('cccccccccc') };
  assert.equal(cache.set(stale, 'id-c', 'v', token, 0), stale);
  assert.equal(cache.get(NWID, 'cccccccccc', 'id-c', 'v', 1), undefined);
});
