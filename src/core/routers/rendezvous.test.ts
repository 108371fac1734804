import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assignByRendezvous, fnv1a, rendezvousWeight } from './rendezvous.ts';
import { addr } from './router-fixtures.test.ts';

describe('fnv1a', () => {
  test('matches the published FNV-1a 32-bit vectors', () => {
    assert.equal(fnv1a(''), 0x811c9dc5);
    assert.equal(fnv1a('a'), 0xe40c292c);
    assert.equal(fnv1a('foobar'), 0xbf9cf968);
  });

  test('continuing from a seed equals hashing the concatenation', () => {
    assert.equal(fnv1a('bar', fnv1a('foo')), fnv1a('foobar'));
  });
});

describe('assignByRendezvous', () => {
  const members = Array.from({ length: 600 }, (_, i) => addr(0x100000 + i * 13));
  const routers = ['aaaaaaaaaa', 'bbbbbbbbbb', 'cccccccccc'];

  test('each member goes to the router of highest weight, every router is a key', () => {
    const out = assignByRendezvous(members, routers, '10.0.0.0/8');
    assert.deepEqual([...out.keys()], routers);
    for (const [router, list] of out) {
      for (const m of list) {
        const w = rendezvousWeight(m, router, '10.0.0.0/8');
        for (const other of routers) assert.ok(rendezvousWeight(m, other, '10.0.0.0/8') <= w);
      }
    }
    assert.equal(
      [...out.values()].reduce((n, l) => n + l.length, 0),
      members.length,
    );
  });

  test('input order of routers does not matter; members keep their order', () => {
    const a = assignByRendezvous(members, routers, '10.0.0.0/8');
    const b = assignByRendezvous(members, [...routers].reverse(), '10.0.0.0/8');
    assert.deepEqual(b, a);
    for (const list of a.values()) assert.deepEqual(list, [...list].sort());
  });

  test('roughly even for sequential addresses; a salt gives an independent assignment', () => {
    const a = assignByRendezvous(members, routers, '10.0.0.0/8');
    for (const list of a.values()) assert.ok(Math.abs(list.length - 200) <= 60, String(list.length));
    const b = assignByRendezvous(members, routers, '10.1.0.0/16');
    assert.notDeepEqual(b, a);
  });

  test('removing a router moves only its members', () => {
    const before = assignByRendezvous(members, routers, '10.0.0.0/8');
    const after = assignByRendezvous(members, routers.slice(0, 2), '10.0.0.0/8');
    for (const r of routers.slice(0, 2)) {
      for (const m of before.get(r)!) assert.ok(after.get(r)!.includes(m));
    }
  });

  test('no routers: an empty map', () => {
    assert.equal(assignByRendezvous(members, [], 'p').size, 0);
  });
});
