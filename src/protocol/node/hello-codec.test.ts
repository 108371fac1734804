import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packetId as packetIdOf } from '../packet.ts';
import { armor } from '../packet-armor.ts';
import { bytesToHex, hexToBytes } from '../test-vectors.ts';
import { buildHelloPacket, encodeOkHello, parseHello, parseOkHello } from './hello-codec.ts';
import { parseOk } from './reply-codec.ts';
import { decodedPackets, packetVectors, recorded, sessionKey, vectorIdentity } from './test-support.ts';

const hellos = decodedPackets.filter((p) => p.verb === 'HELLO');
const okHellos = decodedPackets.filter((p) => p.verb === 'OK' && p.inReVerb === 'HELLO');

test('the capture holds HELLOs and OK(HELLO)s in both directions', () => {
  assert.ok(hellos.length >= 4, `${hellos.length} HELLOs`);
  assert.ok(okHellos.length >= 4, `${okHellos.length} OK(HELLO)s`);
  assert.deepEqual(
    new Set(hellos.map((h) => h.src)),
    new Set([packetVectors.controller, packetVectors.member]),
  );
});

test('every recorded HELLO parses to the recorded fields, moon list decrypted', () => {
  for (const h of hellos) {
    const packet = hexToBytes(h.plainHex);
    const f = parseHello(packet, sessionKey);
    const r = h.hello!;
    assert.equal(f.protocol, r.proto);
    assert.equal(`${f.major}.${f.minor}.${f.revision}`, r.version);
    assert.equal(f.timestamp, BigInt(r.timestamp));
    assert.equal(f.identity.address, r.identityAddress);
    assert.equal(f.identity.address, h.src);
    assert.ok(f.identity.equals(vectorIdentity(h.src)), 'the identity is the sender vector identity');
    assert.deepEqual(f.sentTo, { family: 4, ...r.sentTo });
    assert.equal(f.planetId, BigInt(r.worldId));
    assert.equal(f.planetTimestamp, BigInt(r.worldTs));
    assert.equal(f.moons?.length, r.moonCount);
  }
});

test('the moon count is only readable with the key: the wire bytes are not plain zeroes', () => {
  const packet = hexToBytes(recorded('HELLO').plainHex);
  assert.notEqual(bytesToHex(packet.subarray(packet.length - 2)), '0000');
  assert.equal(parseHello(packet).moons, undefined);
  assert.deepEqual(parseHello(packet, sessionKey).moons, []);
});

test('buildHelloPacket reproduces the controller HELLO byte for byte, before and after armor', () => {
  const pair = packetVectors.armorPairs.find((p) => p.what === 'armor-mac-only')!;
  const plain = hexToBytes(pair.plainHex);
  const f = parseHello(plain, sessionKey);
  assert.equal(f.protocol, 11);
  const controller = vectorIdentity(packetVectors.controller);
  const built = buildHelloPacket({
    destination: packetVectors.member,
    key: sessionKey,
    packetId: packetIdOf(plain),
    fields: { ...f, identity: controller },
  });
  // The recorded plaintext has stale bytes in the MAC field (armor overwrites them): compare the rest.
  const expected = plain.slice();
  expected.fill(0, 19, 27);
  assert.equal(bytesToHex(built), bytesToHex(expected));
  armor(built, sessionKey, 0);
  assert.equal(bytesToHex(built), pair.armoredHex);
});

test('a HELLO with moons round-trips through the encrypted tail', () => {
  const member = vectorIdentity(packetVectors.member);
  const moons = [{ type: 127, id: 0x1234n, timestamp: 99n }];
  const built = buildHelloPacket({
    destination: packetVectors.controller,
    key: sessionKey,
    fields: {
      protocol: 11,
      major: 1,
      minor: 14,
      revision: 1,
      timestamp: 5n,
      identity: member,
      sentTo: null,
      moons,
    },
  });
  assert.deepEqual(parseHello(built, sessionKey).moons, moons);
  assert.equal(parseHello(built, sessionKey).sentTo, null);
});

test('encodeOkHello produces every recorded OK(HELLO) payload from its fields', () => {
  for (const p of okHellos) {
    const payload = hexToBytes(p.plainHex).subarray(28);
    const o = p.okHello!;
    const [major, minor, revision] = o.version.split('.').map(Number) as [number, number, number];
    const encoded = encodeOkHello(BigInt(`0x${p.inRePacketId}`), {
      timestamp: BigInt(o.timestampEcho),
      protocol: o.proto,
      major,
      minor,
      revision,
      observed: { family: 4, ...o.surface },
    });
    assert.equal(bytesToHex(encoded), bytesToHex(payload));
    const parsed = parseOkHello(parseOk(payload).body);
    assert.equal(parsed.timestamp, BigInt(o.timestampEcho));
    assert.equal(parsed.protocol, o.proto);
    assert.deepEqual(parsed.observed, { family: 4, ...o.surface });
    assert.equal(parsed.worlds?.length, 0);
  }
});

test('malformed HELLOs throw instead of reading past the end', () => {
  const packet = hexToBytes(recorded('HELLO').plainHex);
  assert.throws(() => parseHello(packet.subarray(0, 28 + 12)), /too short/);
  assert.throws(() => parseHello(packet.subarray(0, 28 + 40)), /truncated/);
  assert.throws(() => parseOkHello(new Uint8Array(5)), /too short/);
});
