import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { readSharedJson } from '../test-vectors.ts';
import { Peer } from './peer.ts';
import { peerJsonFromSightings, peerView, toPeerJson } from './peer-view.ts';
import { vectorIdentities } from './test-support.ts';

const recordedPeers = readSharedJson<Record<string, unknown>[]>(
  'zerotier',
  'run-baseline',
  'controller-peers.json',
);
const recordedMember = readSharedJson<Record<string, unknown>[]>(
  'zerotier',
  'run-baseline',
  'member-peers.json',
);

function keysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keysDeep);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, typeof v === 'object' ? keysDeep(v) : typeof v]),
    );
  return typeof value;
}

test('toPeerJson has exactly the keys, key order and value types of zerotier-one GET /peer', () => {
  const p = new Peer(vectorIdentities[1]!, new Uint8Array(48), 'LEAF', 0, 8, 4);
  p.version = { protocol: 11, major: 1, minor: 14, rev: 1 };
  p.received({ ip: '192.0.2.2', port: 9993 }, 0, 1_795_270_942_135);
  p.sent({ ip: '192.0.2.2', port: 9993 }, 1_795_270_941_691);
  p.paths.get('192.0.2.2/9993')!.latency = 15;
  const view = peerView(p, {
    now: 1_795_270_942_200,
    pathAlive: 19_000,
    pathExpiration: 243_000,
    ports: { ipv4: 9993 },
  });
  const json = toPeerJson(view);
  const expected = recordedPeers[0]!;
  assert.deepEqual(keysDeep(json), keysDeep(expected));
  assert.deepEqual(Object.keys(json), Object.keys(expected));
  assert.deepEqual(Object.keys(json.paths[0]!), Object.keys((expected.paths as object[])[0]!));
  assert.equal(json.version, '1.14.1');
  assert.equal(json.latency, 15);
  assert.equal(json.paths[0]!.address, '192.0.2.2/9993');
  assert.equal(json.paths[0]!.lastReceive, 1_795_270_942_135);
  assert.equal(json.paths[0]!.lastSend, 1_795_270_941_691);
  assert.equal(json.paths[0]!.preferred, true);
  assert.equal(json.paths[0]!.active, true);
  assert.equal(json.isBonded, false);
  assert.equal(recordedMember[0]!.role, 'PLANET');
});

test('unknown version and latency read -1, as zerotier-one reports them; old paths show expired', () => {
  const p = new Peer(vectorIdentities[0]!, new Uint8Array(48), 'PLANET', 0, 8, 4);
  p.received({ ip: '2001:db8::1', port: 9993 }, 0, 0);
  const json = toPeerJson(
    peerView(p, { now: 300_000, pathAlive: 19_000, pathExpiration: 243_000, ports: { ipv6: 1234 } }),
  );
  assert.equal(json.version, '-1.-1.-1');
  assert.equal(json.versionMajor, -1);
  assert.equal(json.latency, -1);
  assert.equal(json.role, 'PLANET');
  assert.equal(json.paths[0]!.address, '2001:db8::1/9993');
  assert.equal(json.paths[0]!.expired, true);
  assert.equal(json.paths[0]!.active, false);
  assert.equal(json.paths[0]!.localSocket, 2);
  assert.equal(json.paths[0]!.localPort, 1234);
});

describe('peerJsonFromSightings', () => {
  it('one LEAF entry per member, its newest sighting as the path, unknown latency and version', () => {
    const peers = peerJsonFromSightings(
      [
        { address: 'bbbbbbbbbb', lastSeen: 10, physicalAddress: '192.0.2.2/9993' },
        { address: 'aaaaaaaaaa', lastSeen: 20, physicalAddress: '192.0.2.1/9993' },
        { address: 'bbbbbbbbbb', lastSeen: 30, physicalAddress: '192.0.2.3/40000' },
      ],
      9993,
    );
    assert.deepEqual(
      peers.map((p) => [
        p.address,
        p.paths[0]!.address,
        p.paths[0]!.lastReceive,
        p.role,
        p.latency,
        p.version,
      ]),
      [
        ['aaaaaaaaaa', '192.0.2.1/9993', 20, 'LEAF', -1, '-1.-1.-1'],
        ['bbbbbbbbbb', '192.0.2.3/40000', 30, 'LEAF', -1, '-1.-1.-1'],
      ],
    );
    assert.deepEqual(Object.keys(peers[0]!), Object.keys(peers[0]!).sort());
  });
});
