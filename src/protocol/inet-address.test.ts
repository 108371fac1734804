import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type InetAddress, decodeInetAddress, encodeInetAddress, inetAddressLength } from './inet-address.ts';
import { bytesToHex, hexToBytes, readSharedJson } from './test-vectors.ts';

test('encodes and decodes IPv4, IPv6 and nil', () => {
  const cases: [InetAddress | null, string][] = [
    [{ family: 4, ip: '192.0.2.1', port: 9993 }, '04c00002012709'],
    [{ family: 4, ip: '10.147.17.0', port: 24 }, '040a9311000018'],
    [{ family: 6, ip: 'fd00:1234::', port: 64 }, '06fd001234000000000000000000000000' + '0040'],
    [
      { family: 6, ip: 'fd69:51fb:a29a:d56e:5199:93d0:246d:debd', port: 88 },
      '06fd6951fba29ad56e519993d0246ddebd0058',
    ],
    [{ family: 6, ip: '::', port: 0 }, '06' + '00'.repeat(18)],
    [{ family: 6, ip: '::ffff:1.2.3.4', port: 1 }, '06' + '00'.repeat(10) + 'ffff01020304' + '0001'],
    [null, '00'],
  ];
  for (const [address, hex] of cases) {
    assert.equal(bytesToHex(encodeInetAddress(address)), hex, JSON.stringify(address));
    assert.deepEqual(decodeInetAddress(hexToBytes(hex)), { address, length: hex.length / 2 });
    assert.equal(inetAddressLength(address), hex.length / 2);
  }
  // Text is normalised on the way back.
  const upper = decodeInetAddress(
    encodeInetAddress({ family: 6, ip: 'FD00:0:0:0:0:0:0:1', port: 0 }),
  ).address;
  assert.equal(upper?.ip, 'fd00::1');
});

test('decodes at an offset and skips the forward-compatible types ZeroTier skips', () => {
  const data = hexToBytes('aa' + '040a000001ffff');
  assert.deepEqual(decodeInetAddress(data, 1), {
    address: { family: 4, ip: '10.0.0.1', port: 65535 },
    length: 7,
  });
  assert.deepEqual(decodeInetAddress(hexToBytes('01aabbccddeeff')), { address: null, length: 7 });
  assert.deepEqual(decodeInetAddress(hexToBytes('02aabbccddeeff')), { address: null, length: 7 });
  assert.deepEqual(decodeInetAddress(hexToBytes('030003aabbcc')), { address: null, length: 6 });
});

test('rejects unknown types, truncation and bad input with a reason', () => {
  assert.throws(() => decodeInetAddress(hexToBytes('05')), /unknown type 0x05/);
  assert.throws(() => decodeInetAddress(new Uint8Array(0)), /no type byte/);
  assert.throws(() => decodeInetAddress(hexToBytes('040a0000')), /truncated/);
  assert.throws(() => decodeInetAddress(hexToBytes('06' + '00'.repeat(17))), /truncated/);
  assert.throws(() => decodeInetAddress(hexToBytes('030005aabb')), /truncated/);
  assert.throws(() => decodeInetAddress(hexToBytes('01aabb')), /truncated/);
  assert.throws(() => encodeInetAddress({ family: 4, ip: '10.0.0', port: 1 }), /not an IPv4 address/);
  assert.throws(() => encodeInetAddress({ family: 4, ip: '::1', port: 1 }), /not an IPv4 address/);
  assert.throws(() => encodeInetAddress({ family: 6, ip: '10.0.0.1', port: 1 }), /not an IPv6 address/);
  assert.throws(() => encodeInetAddress({ family: 6, ip: 'fe80::1%eth0', port: 1 }), /not an IPv6 address/);
  assert.throws(() => encodeInetAddress({ family: 4, ip: '10.0.0.1', port: 65536 }), /port must be/);
  assert.throws(
    () => encodeInetAddress({ family: 5 as 4, ip: '10.0.0.1', port: 1 }),
    /family must be 4 or 6/,
  );
});

test('round-trips random IPv4 and IPv6 addresses', () => {
  const address = fc.oneof(
    fc.record({ family: fc.constant(4 as const), ip: fc.ipV4(), port: fc.integer({ min: 0, max: 65535 }) }),
    fc.record({ family: fc.constant(6 as const), ip: fc.ipV6(), port: fc.integer({ min: 0, max: 65535 }) }),
  );
  fc.assert(
    fc.property(address, (a) => {
      const bytes = encodeInetAddress(a);
      const { address: back, length } = decodeInetAddress(bytes);
      assert.equal(length, bytes.length);
      assert.ok(back);
      assert.equal(back.family, a.family);
      assert.equal(back.port, a.port);
      assert.equal(bytesToHex(encodeInetAddress(back)), bytesToHex(bytes));
    }),
    { numRuns: 500 },
  );
});

test('reads the addresses inside recorded HELLO and OK(HELLO) packets', () => {
  const { packets } = readSharedJson<{ packets: { label: string; plainHex: string }[] }>(
    'zerotier',
    'packet-vectors.json',
  );
  const hello = hexToBytes(packets.find((p) => p.label === 'HELLO')!.plainHex);
  // header 28, proto 1, version 1+1+2, timestamp 8, identity 71 (no secret)
  assert.deepEqual(decodeInetAddress(hello, 28 + 5 + 8 + 71).address, {
    family: 4,
    ip: '192.0.2.1',
    port: 9993,
  });
  const ok = hexToBytes(packets.find((p) => p.label === 'OK(HELLO)')!.plainHex);
  // header 28, in-re verb 1 + id 8, timestamp 8, proto 1, version 1+1+2
  assert.deepEqual(decodeInetAddress(ok, 28 + 9 + 8 + 5).address, { family: 4, ip: '192.0.2.2', port: 9993 });
});
