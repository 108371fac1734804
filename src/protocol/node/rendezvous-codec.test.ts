import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex } from '../test-vectors.ts';
import { encodeRendezvous, parseRendezvous } from './rendezvous-codec.ts';

test('RENDEZVOUS layout: flags, address, port, ip length, ip', () => {
  const encoded = encodeRendezvous({ address: 'd0246ddebd', ip: '192.0.2.2', port: 9993 });
  assert.equal(bytesToHex(encoded), '00' + 'd0246ddebd' + '2709' + '04' + 'c0000202');
  assert.deepEqual(parseRendezvous(encoded), { address: 'd0246ddebd', ip: '192.0.2.2', port: 9993 });
});

test('IPv6 RENDEZVOUS round-trips', () => {
  const r = { address: '6951fba29a', ip: '2001:db8::1', port: 443 };
  const encoded = encodeRendezvous(r);
  assert.equal(encoded[8], 16);
  assert.deepEqual(parseRendezvous(encoded), r);
});

test('RENDEZVOUS with port 0, a bad ip length or truncated is refused', () => {
  const ok = encodeRendezvous({ address: 'd0246ddebd', ip: '192.0.2.2', port: 9993 });
  const port0 = ok.slice();
  port0[6] = 0;
  port0[7] = 0;
  assert.equal(parseRendezvous(port0), undefined);
  const badLength = ok.slice();
  badLength[8] = 5;
  assert.equal(parseRendezvous(badLength), undefined);
  assert.equal(parseRendezvous(ok.subarray(0, ok.length - 1)), undefined);
});
