import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { test } from 'node:test';
import { Identity, isReservedAddress } from './identity.ts';
import { identityHash } from './identity-hash.ts';
import { bytesToHex, hexToBytes, readSharedJson, sharedPath } from './test-vectors.ts';

interface IdentityVector {
  label: string;
  address: string;
  secretString: string;
  publicString: string;
  x25519Public: string;
  ed25519Public: string;
  x25519Private: string;
  ed25519Seed: string;
  memoryHardDigest: string;
  checks: { publicKeyHashSha384: string };
}
interface IdentityVectors {
  identities: IdentityVector[];
  signature: { identityAddress: string; messageHex: string; signatureHex: string; jsSignatureHex: string };
  agreement: { a: string; b: string; rawX25519: string; key48: string };
}

const vectors = readSharedJson<IdentityVectors>('zerotier', 'identity-vectors.json');
const byAddress = (address: string): Identity => {
  const v = vectors.identities.find((i) => i.address === address);
  assert.ok(v, `vector for ${address}`);
  return Identity.parse(v.secretString);
};

test('vectors: there are identities to check', () => {
  assert.equal(vectors.identities.length, 5);
});

for (const v of vectors.identities) {
  test(`vector ${v.label} (${v.address}): parses, validates, re-serialises, digests`, () => {
    const id = Identity.parse(v.secretString);
    assert.equal(id.address, v.address);
    assert.equal(bytesToHex(id.publicKey), v.x25519Public + v.ed25519Public);
    assert.equal(bytesToHex(id.privateKey!), v.x25519Private + v.ed25519Seed);
    assert.equal(id.toString(true), v.secretString);
    assert.equal(id.toString(), v.publicString);
    assert.equal(id.toString(false), v.publicString);

    const digest = identityHash(id.publicKey);
    assert.equal(bytesToHex(digest), v.memoryHardDigest);
    assert.ok(digest[0]! < 17);
    assert.equal(bytesToHex(digest.subarray(59)), v.address);
    assert.equal(bytesToHex(id.publicKeyHash()), v.checks.publicKeyHashSha384);
    assert.equal(id.locallyValidate(), true);

    const pub = Identity.parse(v.publicString);
    assert.equal(pub.hasPrivate(), false);
    assert.equal(pub.locallyValidate(), true);

    // Deriving from the secret alone reproduces the public key and the address.
    const derived = Identity.fromPrivateKey(id.privateKey!, digest);
    assert.equal(derived.toString(true), v.secretString);
  });

  test(`vector ${v.address}: binary form round-trips with and without the secret`, () => {
    const id = Identity.parse(v.secretString);
    const pubBin = id.toBinary();
    assert.equal(pubBin.length, 5 + 1 + 64 + 1);
    assert.equal(bytesToHex(pubBin), v.address + '00' + v.x25519Public + v.ed25519Public + '00');
    const secBin = id.toBinary(true);
    assert.equal(secBin.length, 5 + 1 + 64 + 1 + 64);
    assert.equal(secBin[70], 64);

    const padded = new Uint8Array(secBin.length + 10);
    padded.set(secBin, 3);
    const { identity, length } = Identity.fromBinary(padded, 3);
    assert.equal(length, secBin.length);
    assert.equal(identity.toString(true), v.secretString);
    const back = Identity.fromBinary(pubBin);
    assert.equal(back.length, 71);
    assert.equal(back.identity.toString(true), v.publicString);
  });
}

test('signature: reproduces zerotier-idtool sign byte for byte and verifies', () => {
  const s = vectors.signature;
  const id = byAddress(s.identityAddress);
  const msg = hexToBytes(s.messageHex);
  const sig = id.sign(msg);
  assert.equal(sig.length, 96);
  assert.equal(bytesToHex(sig), s.signatureHex);
  assert.equal(bytesToHex(sig), s.jsSignatureHex);
  assert.equal(id.withoutPrivate().verify(msg, sig), true);
});

test('signature: idtool/ and js-identity/ files sign and verify', () => {
  for (const dir of ['idtool', 'js-identity']) {
    const id = Identity.parse(readFileSync(sharedPath('zerotier', dir, 'identity.secret'), 'utf8'));
    const pub = Identity.parse(readFileSync(sharedPath('zerotier', dir, 'identity.public'), 'utf8'));
    assert.ok(pub.equals(id), dir);
    const msg = readFileSync(sharedPath('zerotier', dir, 'msg.txt'));
    const recorded = readFileSync(sharedPath('zerotier', dir, 'sig.txt'), 'utf8').trim();
    assert.equal(bytesToHex(id.sign(msg)), recorded, dir);
    assert.equal(pub.verify(msg, hexToBytes(recorded)), true, dir);
    assert.equal(id.locallyValidate(), true, dir);
  }
});

test('signature: tampering with message, signature or length fails verification', () => {
  const s = vectors.signature;
  const id = byAddress(s.identityAddress);
  const msg = hexToBytes(s.messageHex);
  const sig = hexToBytes(s.signatureHex);
  const otherMsg = msg.slice();
  otherMsg[0]! ^= 1;
  assert.equal(id.verify(otherMsg, sig), false);
  for (const at of [0, 40, 63, 64, 95]) {
    const bad = sig.slice();
    bad[at]! ^= 0x10;
    assert.equal(id.verify(msg, bad), false, `flipped byte ${at}`);
  }
  assert.equal(id.verify(msg, sig.subarray(0, 64)), false);
  const other = Identity.parse(vectors.identities[1]!.secretString);
  assert.equal(other.verify(msg, sig), false);
  assert.throws(() => other.withoutPrivate().sign(msg), /has no private key/);
});

test('agreement: reproduces the recorded key in both directions', () => {
  const { a, b, key48 } = vectors.agreement;
  const ia = byAddress(a);
  const ib = byAddress(b);
  assert.equal(bytesToHex(ia.agree(ib.withoutPrivate())), key48);
  assert.equal(bytesToHex(ib.agree(ia.withoutPrivate())), key48);
  assert.throws(() => ia.withoutPrivate().agree(ib), /has no private key/);
});

test('agreement: the raw X25519 secret is the recorded one (key = SHA-512(raw)[0:48])', async () => {
  const { x25519 } = await import('@noble/curves/ed25519.js');
  const { sha512 } = await import('@noble/hashes/sha2.js');
  const { a, b, rawX25519, key48 } = vectors.agreement;
  const raw = x25519.getSharedSecret(
    byAddress(a).privateKey!.subarray(0, 32),
    byAddress(b).publicKey.subarray(0, 32),
  );
  assert.equal(bytesToHex(raw), rawX25519);
  assert.equal(bytesToHex(sha512(raw).subarray(0, 48)), key48);
});

test('tampered identities fail local validation', () => {
  const v = vectors.identities[0]!;
  const good = Identity.parse(v.secretString);
  // A different address claiming the same key.
  const wrongAddress = new Identity('1234567890', good.publicKey);
  assert.equal(wrongAddress.locallyValidate(), false);
  // One bit of the public key changed (public-only, so only the hash can catch it).
  for (const at of [0, 40]) {
    const pub = good.publicKey.slice();
    pub[at]! ^= 1;
    assert.equal(new Identity(good.address, pub).locallyValidate(), false, `public byte ${at}`);
  }
  // A private key that does not belong to the public key.
  const priv = good.privateKey!.slice();
  priv[40]! ^= 1;
  assert.equal(new Identity(good.address, good.publicKey, priv).locallyValidate(), false);
  // Reserved addresses are never valid.
  assert.equal(new Identity('ff00000001', good.publicKey).locallyValidate(), false);
  assert.equal(isReservedAddress('0000000000'), true);
  assert.equal(isReservedAddress(good.address), false);
});

test('parse rejects malformed text with a message naming the problem', () => {
  const v = vectors.identities[0]!;
  const [addr, , pub, priv] = v.secretString.split(':') as [string, string, string, string];
  const cases: [string, RegExp][] = [
    ['', /3 or 4 ':'-separated fields/],
    [`${addr}:0`, /3 or 4 ':'-separated fields/],
    [`${addr}:0:${pub}:${priv}:x`, /3 or 4 ':'-separated fields/],
    [`${addr.slice(1)}:0:${pub}`, /address must be 10 hex digits/],
    [`zz${addr.slice(2)}:0:${pub}`, /address must be 10 hex digits/],
    [`0000000000:0:${pub}`, /reserved/],
    [`ff${addr.slice(2)}:0:${pub}`, /reserved/],
    [`${addr}:1:${pub}`, /type must be 0/],
    [`${addr}:0:${pub.slice(2)}`, /public key must be 64 bytes/],
    [`${addr}:0:${pub.slice(0, -1)}g`, /public key is not valid hex/],
    [`${addr}:0:${pub}:${priv.slice(0, 126)}`, /private key must be 64 bytes/],
    [`${addr}:0:${pub}:`, /private key must be 64 bytes/],
  ];
  for (const [text, message] of cases) assert.throws(() => Identity.parse(text), message, text);
  // Upper case and surrounding whitespace are tolerated and normalised.
  assert.equal(
    Identity.parse(`  ${v.secretString.toUpperCase().replace(':0:', ':0:')}\n`).toString(true),
    v.secretString,
  );
});

test('fromBinary rejects truncated or malformed input', () => {
  const bin = Identity.parse(vectors.identities[0]!.secretString).toBinary(true);
  assert.throws(() => Identity.fromBinary(bin.subarray(0, 70)), /truncated/);
  assert.throws(() => Identity.fromBinary(bin.subarray(0, 100)), /truncated: missing private key/);
  const badType = bin.slice();
  badType[5] = 1;
  assert.throws(() => Identity.fromBinary(badType), /type must be 0/);
  const badLen = bin.slice();
  badLen[70] = 32;
  assert.throws(() => Identity.fromBinary(badLen), /private key length must be 0 or 64/);
  const reserved = bin.slice();
  reserved[0] = 0xff;
  assert.throws(() => Identity.fromBinary(reserved), /reserved/);
});

test('the secret never shows up in JSON or inspect output', () => {
  const v = vectors.identities[0]!;
  const id = Identity.parse(v.secretString);
  const privHex = v.x25519Private;
  assert.equal(JSON.stringify({ id }), JSON.stringify({ id: v.publicString }));
  assert.ok(!inspect(id).includes(privHex));
  assert.ok(inspect(id).includes(v.address));
});
