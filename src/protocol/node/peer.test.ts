import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MulticastSubscriptions } from './multicast-subscriptions.ts';
import { Peer } from './peer.ts';
import { PeerTable } from './peer-table.ts';
import { vectorIdentities } from './test-support.ts';

const [a, b, c] = vectorIdentities as [
  (typeof vectorIdentities)[0],
  (typeof vectorIdentities)[0],
  (typeof vectorIdentities)[0],
];
const key = new Uint8Array(48);

test('Peer: replay window remembers recent ids and forgets the oldest', () => {
  const p = new Peer(a, key, 'LEAF', 0, 2, 4);
  assert.equal(p.markSeen(1n), true);
  assert.equal(p.markSeen(1n), false);
  assert.equal(p.markSeen(2n), true);
  assert.equal(p.markSeen(3n), true); // pushes 1 out
  assert.equal(p.markSeen(1n), true);
  assert.equal(p.markSeen(3n), false);
});

test('Peer: only direct packets teach paths; alive paths are preferred; paths are capped and expire', () => {
  const p = new Peer(a, key, 'LEAF', 0, 8, 2);
  p.received({ ip: '127.0.0.1', port: 1 }, 1, 0);
  assert.equal(p.paths.size, 0, 'relayed packets say nothing about the path');
  p.received({ ip: '127.0.0.1', port: 1 }, 0, 0);
  p.received({ ip: '127.0.0.1', port: 2 }, 0, 100);
  assert.equal(p.bestPath(200, 19_000)?.address.port, 2);
  p.received({ ip: '127.0.0.1', port: 3 }, 0, 300);
  assert.equal(p.paths.size, 2);
  assert.equal(p.paths.has('127.0.0.1/1'), false, 'the least recently heard path made room');
  p.expirePaths(243_200, 243_000);
  assert.deepEqual([...p.paths.keys()], ['127.0.0.1/3']);
});

test('PeerTable: idle leaves expire, roots stay; a full table evicts the least recently heard leaf', () => {
  const t = new PeerTable(2);
  t.add(new Peer(a, key, 'PLANET', 0, 8, 4));
  t.add(new Peer(b, key, 'LEAF', 0, 8, 4));
  t.add(new Peer(c, key, 'LEAF', 10, 8, 4));
  assert.equal(t.get(b.address), undefined);
  assert.ok(t.get(a.address), 'roots are never evicted');
  t.expire(500_010, 243_000, 500_000);
  assert.deepEqual(
    [...t.values()].map((p) => p.address),
    [a.address],
  );
});

test('MulticastSubscriptions: expire, refresh, and refuse beyond capacity', () => {
  const m = new MulticastSubscriptions(1000, 2);
  const g = { nwid: '6951fba29ad56e51', mac: 'ffffffffffff', adi: 0 };
  assert.equal(m.add(g, 'aaaaaaaaaa', 0), true);
  assert.equal(m.add(g, 'bbbbbbbbbb', 0), true);
  assert.equal(m.add(g, 'cccccccccc', 0), false);
  assert.equal(m.add(g, 'aaaaaaaaaa', 500), true, 'renewal always succeeds');
  assert.deepEqual(m.members(g, 999).sort(), ['aaaaaaaaaa', 'bbbbbbbbbb']);
  assert.deepEqual(m.members(g, 1200), ['aaaaaaaaaa']);
  m.expire(1200);
  assert.equal(m.size, 1);
  assert.deepEqual(m.members({ ...g, adi: 1 }, 0), []);
});
