import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Identity } from './identity.ts';
import { sharedPath } from './test-vectors.ts';
import {
  WORLD_ID_EARTH,
  WORLD_MAX_ENDPOINTS_PER_ROOT,
  decodeWorld,
  encodeWorld,
  randomWorldId,
  shouldReplace,
  signWorld,
  verifyWorld,
  type UnsignedWorld,
  type World,
} from './world.ts';
import {
  c25519Sign,
  c25519Verify,
  generateWorldSigningKey,
  worldSigningKeyFromPrivate,
} from './world-signing-key.ts';

const RUNS = ['run-baseline', 'run-noaes-proto11'];
const read = (run: string, file: string) => readFileSync(sharedPath('zerotier', run, file));
const planetBytes = (run: string) => Uint8Array.from(read(run, 'planet.bin'));
const controllerSecret = Identity.parse(
  read('run-noaes-proto11', 'controller-identity.secret').toString('utf8'),
);

/** Offset of the root count byte: type, id, timestamp, key, signature. */
const ROOT_COUNT_OFFSET = 1 + 8 + 8 + 64 + 96;

function withByte(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  copy[offset] = value;
  return copy;
}

function unsignedPlanet(overrides: Partial<UnsignedWorld> = {}): UnsignedWorld {
  return {
    type: 'planet',
    id: 0x1234_5678_9abcn,
    timestamp: 1_700_000_000_000n,
    updatesMustBeSignedBy: generateWorldSigningKey().publicKey,
    roots: [
      {
        identity: controllerSecret.withoutPrivate(),
        endpoints: [
          { ip: '192.0.2.1', port: 9993 },
          { ip: '2001:db8::1', port: 443 },
        ],
      },
    ],
    ...overrides,
  };
}

describe('recorded planets', () => {
  for (const run of RUNS) {
    test(`${run}/planet.bin decodes, re-encodes byte for byte and verifies`, () => {
      const bytes = planetBytes(run);
      const world = decodeWorld(bytes);
      assert.equal(world.type, 'planet');
      assert.equal(world.id, 1234567890n);
      assert.equal(world.roots.length, 1);
      const expected = Identity.parse(read(run, 'controller-identity.public').toString('utf8'));
      assert.ok(world.roots[0]!.identity.equals(expected));
      assert.equal(world.roots[0]!.identity.hasPrivate(), false);
      assert.deepEqual(world.roots[0]!.endpoints, [{ ip: '192.0.2.1', port: 9993 }]);
      assert.deepEqual(encodeWorld(world), bytes);
      assert.equal(verifyWorld(world), true);
    });
  }

  test('decodes a Node Buffer that is a view into a larger one, returning plain copies', () => {
    const bytes = planetBytes('run-baseline');
    const view = Buffer.concat([Buffer.alloc(3, 0xaa), bytes]).subarray(3);
    const world = decodeWorld(view);
    assert.equal(world.id, 1234567890n);
    assert.equal(verifyWorld(world), true);
    view.fill(0);
    assert.equal(verifyWorld(world), true);
    assert.deepEqual(encodeWorld(world), bytes);
  });

  test('a changed endpoint, timestamp or signature no longer verifies', () => {
    const bytes = planetBytes('run-baseline');
    const portOffset = bytes.length - 1;
    assert.equal(verifyWorld(decodeWorld(withByte(bytes, portOffset, bytes[portOffset]! ^ 1))), false);
    assert.equal(verifyWorld(decodeWorld(withByte(bytes, 16, bytes[16]! ^ 1))), false);
    assert.equal(verifyWorld(decodeWorld(withByte(bytes, 1 + 8 + 8 + 64 + 3, bytes[84]! ^ 1))), false);
  });

  test('neither recorded planet replaces the other: same id and timestamp, different keys', () => {
    const [a, b] = RUNS.map((run) => decodeWorld(planetBytes(run))) as [World, World];
    assert.equal(a.id, b.id);
    assert.equal(a.timestamp, b.timestamp);
    assert.notDeepEqual(a.updatesMustBeSignedBy, b.updatesMustBeSignedBy);
    assert.equal(shouldReplace(a, b), false);
    assert.equal(shouldReplace(b, a), false);
    // Made newer, b is still not signed by a's key, so a member holding a refuses it.
    assert.equal(shouldReplace(a, { ...b, timestamp: b.timestamp + 1n }), false);
  });
});

describe('signing', () => {
  test('the C25519 signature equals an identity signature with the same private key', () => {
    const key = worldSigningKeyFromPrivate(controllerSecret.privateKey!, controllerSecret.publicKey);
    const message = new TextEncoder().encode('planet');
    const signature = c25519Sign(key, message);
    assert.deepEqual(signature, controllerSecret.sign(message));
    assert.equal(c25519Verify(key.publicKey, message, signature), true);
    assert.equal(c25519Verify(generateWorldSigningKey().publicKey, message, signature), false);
  });

  test('worldSigningKeyFromPrivate refuses a public key of another pair', () => {
    const other = generateWorldSigningKey();
    assert.throws(
      () => worldSigningKeyFromPrivate(controllerSecret.privateKey!, other.publicKey),
      /does not belong/,
    );
  });

  test('signWorld output encodes, decodes to the same world and verifies; a moon too', () => {
    for (const type of ['planet', 'moon'] as const) {
      const key = generateWorldSigningKey();
      const world = signWorld(unsignedPlanet({ type, updatesMustBeSignedBy: key.publicKey }), key);
      const bytes = encodeWorld(world);
      const decoded = decodeWorld(bytes);
      assert.equal(decoded.type, type);
      assert.equal(verifyWorld(decoded), true);
      assert.deepEqual(encodeWorld(decoded), bytes);
      assert.deepEqual(decoded.roots[0]!.endpoints, world.roots[0]!.endpoints);
      if (type === 'moon') assert.deepEqual(bytes.subarray(-2), Uint8Array.of(0, 0));
    }
  });

  test('a world signed by a key other than updatesMustBeSignedBy does not verify', () => {
    const world = signWorld(unsignedPlanet(), generateWorldSigningKey());
    assert.equal(verifyWorld(world), false);
  });

  test('encoding leaves out a root private key', () => {
    const key = generateWorldSigningKey();
    const world = signWorld(
      unsignedPlanet({
        updatesMustBeSignedBy: key.publicKey,
        roots: [{ identity: controllerSecret, endpoints: [] }],
      }),
      key,
    );
    const decoded = decodeWorld(encodeWorld(world));
    assert.equal(decoded.roots[0]!.identity.hasPrivate(), false);
    assert.equal(verifyWorld(decoded), true);
  });
});

describe('shouldReplace', () => {
  const key = generateWorldSigningKey();
  const current = signWorld(unsignedPlanet({ updatesMustBeSignedBy: key.publicKey }), key);
  const candidate = (overrides: Partial<UnsignedWorld>, signer = key) =>
    signWorld({ ...current, timestamp: current.timestamp + 1n, ...overrides }, signer);

  test('accepts a newer world with the same id signed by the current key, even naming a new key', () => {
    assert.equal(shouldReplace(current, candidate({})), true);
    const next = generateWorldSigningKey();
    const rotated = candidate({ updatesMustBeSignedBy: next.publicKey });
    assert.equal(shouldReplace(current, rotated), true);
    // After the rotation only the new key can sign the next one.
    assert.equal(
      shouldReplace(rotated, signWorld({ ...rotated, timestamp: rotated.timestamp + 1n }, key)),
      false,
    );
    assert.equal(
      shouldReplace(rotated, signWorld({ ...rotated, timestamp: rotated.timestamp + 1n }, next)),
      true,
    );
  });

  test('refuses an older or equal timestamp, another id or type, another signer, a broken signature', () => {
    assert.equal(shouldReplace(current, candidate({ timestamp: current.timestamp })), false);
    assert.equal(shouldReplace(current, candidate({ timestamp: current.timestamp - 1n })), false);
    assert.equal(shouldReplace(current, candidate({ id: current.id + 1n })), false);
    assert.equal(shouldReplace(current, candidate({ type: 'moon' })), false);
    const other = generateWorldSigningKey();
    assert.equal(shouldReplace(current, candidate({ updatesMustBeSignedBy: other.publicKey }, other)), false);
    const tampered = candidate({});
    assert.equal(shouldReplace(current, { ...tampered, roots: [] }), false);
    assert.equal(shouldReplace(current, { ...tampered, signature: new Uint8Array(96) }), false);
  });
});

describe('decodeWorld refuses malformed worlds with a message naming the problem', () => {
  const bytes = planetBytes('run-baseline');
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /type needs 1 bytes at offset 0/],
    ['unknown type', withByte(bytes, 0, 2), /world type must be 1 \(planet\) or 127 \(moon\), got 2/],
    ['truncated signature', bytes.subarray(0, 100), /signature needs 96 bytes at offset 81/],
    ['5 roots', withByte(bytes, ROOT_COUNT_OFFSET, 5), /5 roots, at most 4/],
    [
      'root count past the end',
      withByte(bytes, ROOT_COUNT_OFFSET, 2),
      /world root 1 at offset 257: binary identity truncated/,
    ],
    ['33 endpoints', withByte(bytes, bytes.length - 8, 33), /endpoints, at most 32/],
    [
      'endpoint count past the end',
      withByte(bytes, bytes.length - 8, 2),
      /endpoint 1: InetAddress truncated/,
    ],
    [
      'nil endpoint',
      withByte(bytes, bytes.length - 7, 0),
      /endpoint 0 at offset 250: not an IPv4 or IPv6 address \(type 0\)/,
    ],
    [
      'identity type 1',
      withByte(bytes, ROOT_COUNT_OFFSET + 6, 1),
      /world root 0 at offset 178: binary identity type must be 0/,
    ],
    ['trailing byte', Uint8Array.of(...bytes, 0), /1 unexpected bytes after its end at offset 257/],
  ];
  for (const [name, input, message] of cases) {
    test(name, () => assert.throws(() => decodeWorld(input), message));
  }

  test('a root with a private key', () => {
    const key = generateWorldSigningKey();
    const world = signWorld(unsignedPlanet({ updatesMustBeSignedBy: key.publicKey, roots: [] }), key);
    const withPrivate = Uint8Array.of(
      ...encodeWorld(world).subarray(0, -1),
      1,
      ...controllerSecret.toBinary(true),
      0,
    );
    assert.throws(() => decodeWorld(withPrivate), /world root 0 \(6951fba29a\) carries a private key/);
  });

  test('a moon with a dictionary', () => {
    const key = generateWorldSigningKey();
    const moon = encodeWorld(
      signWorld(unsignedPlanet({ type: 'moon', updatesMustBeSignedBy: key.publicKey }), key),
    );
    assert.throws(
      () => decodeWorld(withByte(moon, moon.length - 1, 3)),
      /moon dictionary must be empty.*length 3/,
    );
  });
});

describe('encodeWorld refuses what a node would reject', () => {
  const key = generateWorldSigningKey();
  const root = unsignedPlanet().roots[0]!;
  const encode = (overrides: Partial<UnsignedWorld>) =>
    encodeWorld(signWorld(unsignedPlanet(overrides), key));

  test('more than 4 roots or 32 endpoints', () => {
    assert.throws(() => encode({ roots: Array.from({ length: 5 }, () => root) }), /at most 4 roots, got 5/);
    const endpoints = Array.from({ length: WORLD_MAX_ENDPOINTS_PER_ROOT + 1 }, (_, i) => ({
      ip: '192.0.2.1',
      port: i + 1,
    }));
    assert.throws(
      () => encode({ roots: [{ ...root, endpoints }] }),
      /root 0 \(6951fba29a\): at most 32 endpoints, got 33/,
    );
    assert.doesNotThrow(() => encode({ roots: [{ ...root, endpoints: endpoints.slice(1) }] }));
  });

  test('a bad endpoint, id or signature length', () => {
    assert.throws(
      () => encode({ roots: [{ ...root, endpoints: [{ ip: 'example.com', port: 1 }] }] }),
      /"example.com" is not an IPv4 or IPv6/,
    );
    assert.throws(
      () => encode({ roots: [{ ...root, endpoints: [{ ip: '192.0.2.1', port: 70000 }] }] }),
      /192.0.2.1\/70000: port must be 0..65535/,
    );
    assert.throws(() => encode({ id: 1n << 64n }), /world id must be an unsigned 64-bit integer/);
    assert.throws(
      () => encodeWorld({ ...signWorld(unsignedPlanet(), key), signature: new Uint8Array(64) }),
      /signature must be 96 bytes, got 64/,
    );
  });
});

test('randomWorldId is never Earth and fits in a JSON number', () => {
  for (let i = 0; i < 1000; i++) {
    const id = randomWorldId();
    assert.notEqual(id, WORLD_ID_EARTH);
    assert.ok(id >= 1n << 32n && id < 1n << 53n, String(id));
  }
});
