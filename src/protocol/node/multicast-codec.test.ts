import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, hexToBytes } from '../test-vectors.ts';
import {
  encodeMulticastGather,
  encodeMulticastLike,
  encodeOkMulticastGather,
  parseMulticastGather,
  parseMulticastLike,
  parseOkMulticastGather,
} from './multicast-codec.ts';
import { parseOk } from './reply-codec.ts';
import { decodedPackets, packetVectors, recordedPayload } from './test-support.ts';

const payloadOf = (hex: string) => hexToBytes(hex).subarray(28);

test('every recorded MULTICAST_LIKE parses to its recorded groups and re-encodes identically', () => {
  const likes = decodedPackets.filter((p) => p.verb === 'MULTICAST_LIKE');
  assert.ok(likes.length >= 5, `${likes.length} LIKEs`);
  for (const l of likes) {
    const payload = payloadOf(l.plainHex);
    const groups = parseMulticastLike(payload);
    assert.deepEqual(
      groups,
      l.like!.map((g) => ({ nwid: g.nwid, mac: g.mac, adi: parseInt(g.adi, 16) })),
    );
    assert.equal(bytesToHex(encodeMulticastLike(groups)), bytesToHex(payload));
  }
});

test('every recorded MULTICAST_GATHER parses to its recorded fields (certificate left unread)', () => {
  const gathers = decodedPackets.filter((p) => p.verb === 'MULTICAST_GATHER');
  assert.ok(gathers.length >= 10, `${gathers.length} GATHERs`);
  for (const g of gathers) {
    const payload = payloadOf(g.plainHex);
    const parsed = parseMulticastGather(payload);
    assert.deepEqual(parsed, { ...g.gather!, adi: parseInt(g.gather!.adi, 16) });
    // The certificate of membership rides along (flag 1); the first 23 bytes are ours to encode.
    assert.equal(bytesToHex(encodeMulticastGather(parsed, payload.subarray(23))), bytesToHex(payload));
  }
});

test('encodeOkMulticastGather produces the recorded OK(MULTICAST_GATHER) payload', () => {
  const payload = recordedPayload('OK(MULTICAST_GATHER)');
  const encoded = encodeOkMulticastGather(0x19bf77f7fe05fbccn, {
    nwid: '6951fba29ad56e51',
    mac: 'ffffffffffff',
    adi: 0x0a931101,
    totalKnown: 1,
    members: [packetVectors.controller],
  });
  assert.equal(bytesToHex(encoded), bytesToHex(payload));
  assert.deepEqual(parseOkMulticastGather(parseOk(payload).body), {
    nwid: '6951fba29ad56e51',
    mac: 'ffffffffffff',
    adi: 0x0a931101,
    totalKnown: 1,
    members: [packetVectors.controller],
  });
});

test('truncated gathers and gather answers throw', () => {
  assert.throws(() => parseMulticastGather(new Uint8Array(22)), /too short/);
  const body = parseOk(recordedPayload('OK(MULTICAST_GATHER)')).body;
  assert.throws(() => parseOkMulticastGather(body.subarray(0, body.length - 1)), /holds fewer/);
  assert.deepEqual(parseMulticastLike(new Uint8Array(17)), []);
});
