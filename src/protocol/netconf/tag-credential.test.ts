import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTags, encodeTag, issueTag, tagSigningBytes, verifyTag } from './tag-credential.ts';
import { controllerIdentity } from './recorded-run.ts';

const NWID = '6951fba29ad56e51';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('a tag has the stock layout, verifies, and several concatenate under one TAG value', () => {
  const controller = controllerIdentity();
  const a = issueTag({
    networkId: NWID,
    timestamp: 0x1a1fe861b5a,
    issuedTo: 'd0246ddebd',
    id: 5,
    value: 0xffffffff,
    signer: controller,
  });
  const b = issueTag({
    networkId: NWID,
    timestamp: 0x1a1fe861b5a,
    issuedTo: 'd0246ddebd',
    id: 9,
    value: 1,
    signer: controller,
  });
  const bytes = encodeTag(a);
  assert.equal(bytes.length, 8 + 8 + 4 + 4 + 5 + 5 + 1 + 2 + 96 + 2);
  assert.equal(
    hex(bytes.subarray(0, 34)),
    '6951fba29ad56e51000001a1fe861b5a00000005ffffffffd0246ddebd6951fba29a',
  );
  assert.equal(hex(bytes.subarray(34, 37)), '010060');
  assert.equal(hex(bytes.subarray(-2)), '0000');
  const signing = tagSigningBytes(a);
  assert.equal(hex(signing), `7f7f7f7f7f7f7f7f${hex(bytes.subarray(0, 34))}00007f7f7f7f7f7f7f7f`);
  const decoded = decodeTags(new Uint8Array([...bytes, ...encodeTag(b)]));
  assert.deepEqual(decoded, [a, b]);
  assert.ok(decoded.every((t) => verifyTag(t, controller)));
  assert.equal(verifyTag({ ...a, value: 4 }, controller), false);
  assert.equal(verifyTag({ ...a, signature: null }, controller), false);
  assert.throws(() => decodeTags(bytes.subarray(0, 100)), /truncated/);
});
