import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { armor, dearmor, mangleKey } from './packet-armor.ts';
import {
  Cipher,
  IDX_FLAGS,
  IDX_MAC,
  buildPacket,
  cipher,
  hops,
  incrementHops,
  isCompressed,
  setCipher,
  uncompressPacket,
  verb,
} from './packet.ts';
import { bytesToHex, hexToBytes, readSharedJson, sharedPath } from './test-vectors.ts';

interface PacketVector {
  label: string;
  cipher: number;
  compressed: boolean;
  wireHex: string;
  dearmoredHex: string;
  plainHex: string;
}
interface PacketVectors {
  key48: string;
  packets: PacketVector[];
  armorPairs: { what: string; key32: string; plainHex: string; armoredHex: string }[];
}
const vectors = readSharedJson<PacketVectors>('zerotier', 'packet-vectors.json');
const key48 = hexToBytes(vectors.key48);

test('vectors: packets and armor pairs are present', () => {
  assert.equal(vectors.packets.length, 13);
  assert.equal(vectors.armorPairs.length, 6);
});

for (const v of vectors.packets) {
  test(`dearmor ${v.label}`, () => {
    const packet = hexToBytes(v.wireHex);
    assert.equal(cipher(packet), v.cipher);
    assert.equal(dearmor(packet, key48), true);
    assert.equal(bytesToHex(packet), v.dearmoredHex);
    assert.equal(isCompressed(packet), v.compressed);
    const plain = uncompressPacket(packet);
    assert.equal(bytesToHex(plain), v.plainHex);
    assert.equal(isCompressed(plain), false);
    assert.equal(verb(plain), verb(packet));

    // Re-armoring the dearmored bytes with the same cipher restores the wire bytes exactly.
    const again = hexToBytes(v.dearmoredHex);
    armor(again, key48, v.cipher as 0 | 1);
    assert.equal(bytesToHex(again), v.wireHex);
  });
}

for (const [i, pair] of vectors.armorPairs.entries()) {
  test(`armor pair ${i} (${pair.what}) reproduces the controller's Packet::armor`, () => {
    const packet = hexToBytes(pair.plainHex);
    const suite = pair.what === 'armor-mac-only' ? 0 : 1;
    armor(packet, hexToBytes(pair.key32), suite);
    assert.equal(bytesToHex(packet), pair.armoredHex);
    assert.equal(dearmor(packet, hexToBytes(pair.key32)), true);
    // Dearmor leaves the cipher bits and MAC in place; only the body is back to plaintext.
    const expected = hexToBytes(pair.plainHex);
    expected[IDX_FLAGS] = packet[IDX_FLAGS]!;
    expected.set(packet.subarray(IDX_MAC, IDX_MAC + 8), IDX_MAC);
    assert.equal(bytesToHex(packet), bytesToHex(expected));
  });
}

test('every armor/dearmor the C++ controller logged (packets.jsonl) is reproduced', () => {
  const lines = readFileSync(sharedPath('zerotier', 'run-noaes-proto11', 'packets.jsonl'), 'utf8')
    .trim()
    .split('\n');
  const counts = { armor: 0, 'armor-mac-only': 0, dearmor: 0 };
  for (const line of lines) {
    const op = JSON.parse(line) as {
      what: keyof typeof counts;
      ok: number;
      key: string;
      before: string;
      after: string;
    };
    const packet = hexToBytes(op.before);
    const key = hexToBytes(op.key);
    assert.equal(op.ok, 1); // the log holds successful operations only
    if (op.what === 'dearmor') {
      assert.equal(dearmor(packet, key), true);
    } else {
      armor(packet, key, op.what === 'armor' ? 1 : 0);
    }
    assert.equal(bytesToHex(packet), op.after, `${op.what} #${counts[op.what]}`);
    counts[op.what]++;
  }
  assert.deepEqual(counts, { armor: 100, 'armor-mac-only': 4, dearmor: 94 });
});

test('a flipped bit anywhere the MAC covers fails dearmor and leaves the packet untouched', () => {
  const wire = hexToBytes(vectors.packets.find((p) => p.label.startsWith('OK(WHOIS)'))!.wireHex);
  // Every bit of id, addresses, cipher/flag bits, MAC and body; not hops (bits 0-2 of byte 18).
  for (let byte = 0; byte < wire.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      if (byte === IDX_FLAGS && bit < 3) continue;
      const packet = wire.slice();
      packet[byte]! ^= 1 << bit;
      const before = bytesToHex(packet);
      assert.equal(dearmor(packet, key48), false, `byte ${byte} bit ${bit}`);
      assert.equal(bytesToHex(packet), before);
    }
  }
  // A wrong key and a truncated or extended packet fail too.
  const wrongKey = key48.slice();
  wrongKey[31]! ^= 1;
  assert.equal(dearmor(wire.slice(), wrongKey), false);
  assert.equal(dearmor(wire.slice(0, -1), key48), false);
  assert.equal(dearmor(Uint8Array.from([...wire, 0]), key48), false);
  assert.equal(dearmor(wire.slice(0, 27), key48), false);
});

test('hops are outside the MAC: a relayed packet still dearmors', () => {
  const packet = hexToBytes(vectors.packets[2]!.wireHex);
  assert.equal(incrementHops(packet), true);
  assert.equal(incrementHops(packet), true);
  assert.equal(hops(packet), 2);
  assert.equal(dearmor(packet, key48), true);
  assert.equal(bytesToHex(packet.subarray(27)), vectors.packets[2]!.dearmoredHex.slice(54));
});

test('unsupported ciphers (trusted path, AES-GMAC-SIV, unknown) are refused', () => {
  for (const suite of [Cipher.NONE_TRUSTED_PATH, Cipher.AES_GMAC_SIV, 4, 7]) {
    const packet = hexToBytes(vectors.packets[1]!.wireHex);
    setCipher(packet, suite);
    assert.equal(cipher(packet), suite);
    assert.equal(dearmor(packet, key48), false, `cipher ${suite}`);
  }
});

test('armor then dearmor round-trips random packets; cipher 1 hides the body, cipher 0 does not', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 48 }),
      fc.uint8Array({ minLength: 8, maxLength: 8 }),
      fc.integer({ min: 0, max: 31 }),
      fc.uint8Array({ minLength: 0, maxLength: 600 }),
      fc.constantFrom(0 as const, 1 as const),
      (key, id, verbNumber, body, suite) => {
        const plain = buildPacket({
          packetId: id,
          destination: '6951fba29a',
          source: 'd0246ddebd',
          verb: verbNumber,
          payload: body,
        });
        const packet = plain.slice();
        armor(packet, key, suite);
        assert.equal(cipher(packet), suite);
        assert.equal((packet[IDX_FLAGS]! & 0x80) !== 0, suite === 1);
        if (suite === 0) assert.equal(bytesToHex(packet.subarray(27)), bytesToHex(plain.subarray(27)));
        else if (body.length >= 16)
          assert.notEqual(bytesToHex(packet.subarray(28)), bytesToHex(plain.subarray(28)));
        assert.equal(dearmor(packet, key), true);
        assert.equal(bytesToHex(packet.subarray(27)), bytesToHex(plain.subarray(27)));
      },
    ),
    { numRuns: 200 },
  );
});

test('mangleKey folds id, addresses, flags without hops and length into the key', () => {
  const key = hexToBytes(vectors.key48.slice(0, 64));
  const packet = hexToBytes(vectors.packets[1]!.wireHex);
  const k = mangleKey(key, packet);
  assert.equal(k.length, 32);
  for (let i = 0; i < 18; i++) assert.equal(k[i], key[i]! ^ packet[i]!);
  assert.equal(k[18], key[18]! ^ (packet[18]! & 0xf8));
  assert.equal(k[19], key[19]! ^ (packet.length & 0xff));
  assert.equal(k[20], key[20]! ^ (packet.length >> 8));
  assert.deepEqual(k.subarray(21), key.subarray(21));
  assert.throws(() => mangleKey(new Uint8Array(16), packet), /at least 32 bytes/);
});
