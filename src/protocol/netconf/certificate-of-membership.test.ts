import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Dictionary } from '../dictionary.ts';
import { derivePublicKey, Identity } from '../identity.ts';
import { hexToBytes } from '../test-vectors.ts';
import {
  agrees,
  comIssuedTo,
  comNetworkId,
  comTimestamp,
  createCom,
  decodeCom,
  encodeCom,
  issueCom,
  verifyCom,
} from './certificate-of-membership.ts';
import { controllerIdentity, memberIdentity, netconfVectors, recordedDicts } from './recorded-run.ts';

const NWID = '6951fba29ad56e51';
const CTMD = 1_800_000;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function recordedCom(index: number): { bytes: Uint8Array; ts: number } {
  const { dict, ts } = recordedDicts()[index]!;
  return { bytes: Dictionary.parse(hexToBytes(dict.hex)).get('C')!, ts };
}

test('the recorded COMs decode to the recorded qualifiers and verify against the controller', () => {
  const { bytes } = recordedCom(2);
  const com = decodeCom(bytes);
  const expected = netconfVectors().parsedLastSeenOnWire.com;
  assert.deepEqual(
    com.qualifiers.map((q) => ({
      id: q.id.toString(),
      value: q.value.toString(16).padStart(16, '0'),
      maxDelta: q.maxDelta.toString(16).padStart(16, '0'),
    })),
    expected.qualifiers,
  );
  assert.equal(com.signedBy, expected.signedBy);
  assert.equal(comNetworkId(com), NWID);
  assert.equal(comIssuedTo(com), 'd0246ddebd');
  assert.equal(comTimestamp(com), BigInt(recordedDicts()[2]!.ts));
  assert.ok(verifyCom(com, controllerIdentity()));
  assert.equal(hex(encodeCom(com)), hex(bytes), 'decode → encode is byte-exact');
});

test('issuing a COM reproduces the recorded bytes exactly (deterministic signature)', () => {
  for (const index of [0, 1, 2]) {
    const { bytes, ts } = recordedCom(index);
    const com = issueCom({
      timestamp: ts,
      maxDelta: CTMD,
      networkId: NWID,
      issuedTo: memberIdentity(),
      signer: controllerIdentity(),
    });
    assert.equal(hex(encodeCom(com)), hex(bytes), `dict ${index}`);
  }
});

test('verification fails for a tampered qualifier, a foreign signer or a signer that does not own the network', () => {
  const controller = controllerIdentity();
  const com = decodeCom(recordedCom(0).bytes);
  const tampered = {
    ...com,
    qualifiers: com.qualifiers.map((q, i) => (i === 0 ? { ...q, value: q.value + 1n } : q)),
  };
  assert.equal(verifyCom(tampered, controller), false);
  const otherKey = randomBytes(64);
  const impostor = new Identity(controller.address, derivePublicKey(otherKey), otherKey);
  assert.equal(verifyCom(com, impostor), false);
  const forged = issueCom({
    timestamp: 1,
    maxDelta: CTMD,
    networkId: NWID,
    issuedTo: memberIdentity(),
    signer: impostor,
  });
  assert.equal(verifyCom(forged, controller), false);
  // Signed correctly, but for a network whose ID names another controller.
  const elsewhere = issueCom({
    timestamp: 1,
    maxDelta: CTMD,
    networkId: 'aaaaaaaaaad56e51',
    issuedTo: memberIdentity(),
    signer: controller,
  });
  assert.equal(verifyCom(elsewhere, controller), false);
  assert.equal(
    verifyCom(
      createCom({ timestamp: 1, maxDelta: CTMD, networkId: NWID, issuedTo: memberIdentity() }),
      controller,
    ),
    false,
  );
});

test('agrees: same network and identity within the time window, and nothing else', () => {
  const controller = controllerIdentity();
  const member = memberIdentity();
  const otherKey = randomBytes(64);
  const peer = new Identity('0123456789', derivePublicKey(otherKey));
  const issue = (timestamp: number, issuedTo: Identity, networkId = NWID) =>
    issueCom({ timestamp, maxDelta: CTMD, networkId, issuedTo, signer: controller });
  const mine = issue(10_000_000, member);
  assert.ok(agrees(mine, issue(10_000_000 + CTMD, peer), peer), 'exactly at the window edge');
  assert.ok(agrees(mine, issue(10_000_000 - CTMD, peer), peer));
  assert.equal(agrees(mine, issue(10_000_000 + CTMD + 1, peer), peer), false, 'just outside the window');
  assert.equal(agrees(mine, issue(10_000_000, peer, '6951fba29ad56e52'), peer), false, 'other network');
  assert.equal(agrees(mine, issue(10_000_000, peer), member), false, 'COM of another identity');
  assert.equal(agrees(mine, { qualifiers: [], signedBy: null, signature: null }, peer), false);
});

test('an unsigned COM encodes with a zero signer and no signature; malformed input throws', () => {
  const com = createCom({ timestamp: 5, maxDelta: CTMD, networkId: NWID, issuedTo: memberIdentity() });
  const bytes = encodeCom(com);
  assert.equal(bytes.length, 3 + 7 * 24 + 5);
  assert.deepEqual(decodeCom(bytes), com);
  assert.throws(() => decodeCom(Uint8Array.of(2, 0, 0)), /type must be 1/);
  const reversed = encodeCom({ ...com, qualifiers: [com.qualifiers[1]!, com.qualifiers[0]!] });
  assert.throws(() => decodeCom(reversed), /ascending/);
  assert.throws(() => decodeCom(bytes.subarray(0, 50)), /truncated/);
});
