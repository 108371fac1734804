import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Dictionary } from '../dictionary.ts';
import { derivePublicKey, Identity } from '../identity.ts';
import { hexToBytes } from '../test-vectors.ts';
import {
  cooSigningBytes,
  createCoo,
  decodeCoo,
  encodeCoo,
  signCoo,
  verifyCoo,
} from './certificate-of-ownership.ts';
import { controllerIdentity, netconfVectors, recordedDicts } from './recorded-run.ts';

const NWID = '6951fba29ad56e51';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('the recorded COOs decode, verify, and are reproduced byte for byte (id 1, config timestamp)', () => {
  const controller = controllerIdentity();
  for (const { dict, ts } of recordedDicts()) {
    const bytes = Dictionary.parse(hexToBytes(dict.hex)).get('COO')!;
    const coo = decodeCoo(bytes);
    assert.equal(coo.networkId, NWID);
    assert.equal(coo.timestamp, BigInt(ts));
    assert.equal(coo.flags, 0n);
    assert.equal(coo.id, 1);
    assert.deepEqual(coo.things, [
      { kind: 'ipv6', ip: 'fd69:51fb:a29a:d56e:5199:93d0:246d:debd' },
      { kind: 'ipv4', ip: '10.147.17.41' },
    ]);
    assert.equal(coo.things.length, netconfVectors().parsedLastSeenOnWire.coo.things);
    assert.equal(coo.issuedTo, 'd0246ddebd');
    assert.equal(coo.signedBy, controller.address);
    assert.ok(verifyCoo(coo, controller));
    assert.equal(hex(encodeCoo(coo)), hex(bytes));
    const rebuilt = signCoo(
      createCoo({
        networkId: NWID,
        timestamp: ts,
        issuedTo: 'd0246ddebd',
        ips: ['fd69:51fb:a29a:d56e:5199:93d0:246d:debd/88', '10.147.17.41'],
      }),
      controller,
    );
    assert.equal(hex(encodeCoo(rebuilt)), hex(bytes));
  }
});

test('the signature covers the 0x7f-framed body including the signer, and tampering breaks it', () => {
  const controller = controllerIdentity();
  const coo = signCoo(
    createCoo({ networkId: NWID, timestamp: 1, issuedTo: 'd0246ddebd', ips: ['10.0.0.1'] }),
    controller,
  );
  const signing = cooSigningBytes(coo);
  assert.equal(hex(signing.subarray(0, 8)), '7f7f7f7f7f7f7f7f');
  assert.equal(hex(signing.subarray(-10)), '00007f7f7f7f7f7f7f7f');
  assert.equal(signing.length, 8 + 8 + 8 + 8 + 4 + 2 + 17 + 5 + 5 + 2 + 8);
  assert.equal(verifyCoo({ ...coo, things: [{ kind: 'ipv4', ip: '10.0.0.2' }] }, controller), false);
  assert.equal(verifyCoo({ ...coo, issuedTo: '0123456789' }, controller), false);
  const otherKey = randomBytes(64);
  assert.equal(verifyCoo(coo, new Identity(controller.address, derivePublicKey(otherKey))), false);
});

test('MAC things round-trip; more than 16 things and bad input are refused', () => {
  const coo = createCoo({ networkId: NWID, timestamp: 2, issuedTo: 'd0246ddebd', ips: [] });
  const withMac = { ...coo, things: [{ kind: 'mac' as const, mac: '02:11:22:33:44:55' }] };
  assert.deepEqual(decodeCoo(encodeCoo(withMac)).things, withMac.things);
  const ips = Array.from({ length: 17 }, (_, i) => `10.0.0.${i + 1}`);
  assert.throws(
    () => createCoo({ networkId: NWID, timestamp: 2, issuedTo: 'd0246ddebd', ips }),
    /at most 16/,
  );
  assert.throws(
    () => createCoo({ networkId: NWID, timestamp: 2, issuedTo: 'd0246ddebd', ips: ['nope'] }),
    /not an IP/,
  );
  assert.throws(() => decodeCoo(encodeCoo(withMac).subarray(0, 40)), /truncated/);
});
