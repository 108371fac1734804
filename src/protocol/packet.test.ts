import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Cipher,
  ErrorCode,
  MAX_PACKET_LENGTH,
  Verb,
  assertPacketLength,
  buildPacket,
  cipher,
  destination,
  flags,
  hops,
  incrementHops,
  isCompressed,
  isFragment,
  isFragmented,
  packetId,
  payload,
  readUint64,
  setCipher,
  setHops,
  source,
  uncompressPacket,
  verb,
  verbName,
} from './packet.ts';
import { Lz4Error } from './lz4.ts';
import { bytesToHex, hexToBytes, readSharedJson } from './test-vectors.ts';

interface PacketVectors {
  packets: {
    label: string;
    src: string;
    dest: string;
    cipher: number;
    wireHex: string;
    dearmoredHex: string;
    inRePacketId?: string;
  }[];
}
const vectors = readSharedJson<PacketVectors>('zerotier', 'packet-vectors.json');

test('header accessors read every vector packet', () => {
  for (const v of vectors.packets) {
    const wire = hexToBytes(v.wireHex);
    assert.equal(source(wire), v.src, v.label);
    assert.equal(destination(wire), v.dest, v.label);
    assert.equal(cipher(wire), v.cipher, v.label);
    assert.equal(hops(wire), 0);
    assert.equal(isFragmented(wire), false);
    assert.equal(isFragment(wire), false);
    assert.equal(packetId(wire), BigInt(`0x${v.wireHex.slice(0, 16)}`));
  }
});

test('verb, compression flag and in-re packet id of dearmored vectors', () => {
  const okHello = vectors.packets.find((p) => p.label === 'OK(HELLO)')!;
  const packet = hexToBytes(okHello.dearmoredHex);
  assert.equal(verb(packet), Verb.OK);
  assert.equal(verbName(verb(packet)), 'OK');
  assert.equal(isCompressed(packet), false);
  assert.equal(payload(packet)[0], Verb.HELLO); // in-re verb
  assert.equal(readUint64(payload(packet), 1).toString(16).padStart(16, '0'), okHello.inRePacketId);

  const ncr = hexToBytes(
    vectors.packets.find((p) => p.label.startsWith('NETWORK_CONFIG_REQUEST'))!.dearmoredHex,
  );
  assert.equal(verb(ncr), Verb.NETWORK_CONFIG_REQUEST);
  assert.equal(isCompressed(ncr), true);

  const error = hexToBytes(vectors.packets.find((p) => p.label.startsWith('ERROR'))!.dearmoredHex);
  assert.equal(verb(error), Verb.ERROR);
  assert.equal(payload(error)[9], ErrorCode.NETWORK_ACCESS_DENIED);
});

test('buildPacket writes a plaintext header that the accessors read back', () => {
  const packet = buildPacket({
    packetId: 0x0102030405060708n,
    destination: '6951fba29a',
    source: 'd0246ddebd',
    verb: Verb.ECHO,
    payload: Uint8Array.of(1, 2, 3),
  });
  assert.equal(
    bytesToHex(packet),
    '0102030405060708' + '6951fba29a' + 'd0246ddebd' + '00' + '0000000000000000' + '08' + '010203',
  );
  assert.equal(packetId(packet), 0x0102030405060708n);
  const random1 = buildPacket({ destination: '6951fba29a', source: 'd0246ddebd', verb: Verb.NOP });
  const random2 = buildPacket({ destination: '6951fba29a', source: 'd0246ddebd', verb: Verb.NOP });
  assert.equal(random1.length, 28);
  assert.notEqual(packetId(random1), packetId(random2));
  assert.throws(
    () => buildPacket({ destination: '6951fba2', source: 'd0246ddebd', verb: 1 }),
    /destination address must be 5 bytes/,
  );
  assert.throws(
    () => buildPacket({ destination: '6951fba29a', source: 'd0246ddebd', verb: 32 }),
    /verb must be 0..31/,
  );
  assert.throws(
    () =>
      buildPacket({ destination: '6951fba29a', source: 'd0246ddebd', verb: 1, packetId: new Uint8Array(4) }),
    /8 bytes/,
  );
  assert.throws(
    () =>
      buildPacket({
        destination: '6951fba29a',
        source: 'd0246ddebd',
        verb: 1,
        payload: new Uint8Array(MAX_PACKET_LENGTH),
      }),
    /packet too long/,
  );
});

test('setCipher keeps the deprecated encrypted flag in step; hops stay within 3 bits', () => {
  const packet = buildPacket({ destination: '6951fba29a', source: 'd0246ddebd', verb: 1 });
  setHops(packet, 5);
  setCipher(packet, Cipher.POLY1305_SALSA2012);
  assert.equal(flags(packet), 0x80 | (1 << 3) | 5);
  setCipher(packet, Cipher.AES_GMAC_SIV);
  assert.equal(flags(packet), (3 << 3) | 5);
  setCipher(packet, Cipher.POLY1305_NONE);
  assert.equal(flags(packet), 5);
  setHops(packet, 7);
  assert.equal(incrementHops(packet), false);
  assert.equal(hops(packet), 7);
  assert.throws(() => setHops(packet, 8), RangeError);
  assert.equal(cipher(packet), 0);
});

test('fragments are recognised by the 0xff indicator', () => {
  const fragment = new Uint8Array(20);
  fragment[13] = 0xff;
  assert.equal(isFragment(fragment), true);
  assert.equal(isFragment(fragment.subarray(0, 15)), false);
});

test('uncompressPacket rejects corrupt payloads and returns uncompressed packets as they are', () => {
  const plain = hexToBytes(vectors.packets[1]!.dearmoredHex);
  assert.equal(uncompressPacket(plain), plain);
  const bad = plain.slice();
  bad[27] = bad[27]! | 0x80;
  bad[28] = 0xf0; // 15+ literals, then the extension byte runs past the end
  assert.throws(() => uncompressPacket(bad.subarray(0, 29)), Lz4Error);
  assert.throws(() => assertPacketLength(new Uint8Array(27)), /too short/);
  assert.throws(() => uncompressPacket(new Uint8Array(10)), /too short/);
});

test('verbName names unknown verbs', () => {
  assert.equal(verbName(Verb.NETWORK_CONFIG_REQUEST), 'NETWORK_CONFIG_REQUEST');
  assert.equal(verbName(0x1f), 'UNKNOWN_0x1f');
});
