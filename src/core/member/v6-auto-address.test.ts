import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIp } from '../cidr/ip.ts';
import { isRpError } from '../errors.ts';
import { rfc4193Address, sixPlaneAddress } from './v6-auto-address.ts';

test('rfc4193 matches the addresses recorded on real members', () => {
  // member-ip-addr.txt of run-baseline and run-noaes-proto11
  assert.equal(
    rfc4193Address('f8ea0e79249a7b42', '43e690e007'),
    'fdf8:ea0e:7924:9a7b:4299:9343:e690:e007/88',
  );
  assert.equal(
    rfc4193Address('6951fba29ad56e51', 'd0246ddebd'),
    'fd69:51fb:a29a:d56e:5199:93d0:246d:debd/88',
  );
  assert.equal(
    rfc4193Address('F8EA0E79249A7B42', '43E690E007'),
    'fdf8:ea0e:7924:9a7b:4299:9343:e690:e007/88',
  );
});

test('6plane folds the network ID and ends in ::1 (worked by hand from makeIpv66plane)', () => {
  // 0x249a7b42 ^ 0xf8ea0e79 = 0xdc70753b; then the 5 address bytes, zeros, and 0x01.
  assert.equal(sixPlaneAddress('f8ea0e79249a7b42', '43e690e007'), 'fcdc:7075:3b43:e690:e007::1/40');
  // 0x9ad56e51 ^ 0x6951fba2 = 0xf38495f3
  assert.equal(sixPlaneAddress('6951fba29ad56e51', 'd0246ddebd'), 'fcf3:8495:f3d0:246d:debd::1/40');
});

test('property: the address decodes back to fd | nwid | 9993 | member (and fc | fold | member | 1)', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: 0xfeffffffffn }),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      (node, nwid) => {
        const address = node.toString(16).padStart(10, '0');
        const networkId = nwid.toString(16).padStart(16, '0');
        const rfc = rfc4193Address(networkId, address);
        assert.ok(rfc.endsWith('/88'));
        const v = parseIp(rfc.slice(0, -3))?.value ?? -1n;
        assert.equal(v >> 120n, 0xfdn);
        assert.equal((v >> 56n) & ((1n << 64n) - 1n), nwid);
        assert.equal((v >> 40n) & 0xffffn, 0x9993n);
        assert.equal(v & 0xffffffffffn, node);
        const six = sixPlaneAddress(networkId, address);
        assert.ok(six.endsWith('/40'));
        const w = parseIp(six.slice(0, -3))?.value ?? -1n;
        assert.equal(w >> 120n, 0xfcn);
        assert.equal((w >> 88n) & 0xffffffffn, (nwid ^ (nwid >> 32n)) & 0xffffffffn);
        assert.equal((w >> 48n) & 0xffffffffffn, node);
        assert.equal(w & 0xffffffffffffn, 1n);
      },
    ),
  );
});

test('bad inputs are rejected', () => {
  assert.throws(() => rfc4193Address('xyz', '43e690e007'), isRpError);
  assert.throws(() => sixPlaneAddress('f8ea0e79249a7b42', 'ff00000000'), isRpError);
});
