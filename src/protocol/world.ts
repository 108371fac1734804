// ZeroTier worlds (planets and moons): the signed list of root servers a node trusts
// (PROTOCOL-NOTES §2.8). Byte layout, all integers big-endian:
//   <1 type: 1 planet | 127 moon><8 id><8 timestamp><64 updatesMustBeSignedBy><96 signature>
//   <1 root count>(<binary identity, public only><1 endpoint count>(<InetAddress>)*)*
//   moon only: <2 dictionary length = 0>
// The signature covers the same bytes without the signature field, framed by 0x7f×8 … 0xf7×8.
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { concatBytes } from './bytes.ts';
import { Identity, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './identity.ts';
import { decodeInetAddress, encodeInetAddress } from './inet-address.ts';
import { c25519Sign, c25519Verify, type WorldSigningKey } from './world-signing-key.ts';

export const WORLD_TYPE_PLANET = 1;
export const WORLD_TYPE_MOON = 127;
/** Limits ZeroTier enforces when it reads a world (ZT_WORLD_MAX_ROOTS, …_STABLE_ENDPOINTS_PER_ROOT). */
export const WORLD_MAX_ROOTS = 4;
export const WORLD_MAX_ENDPOINTS_PER_ROOT = 32;
/** ZeroTier's public planet: a custom planet with this id would compete with the built-in one. */
export const WORLD_ID_EARTH = 149604618n;
/** Reserved by ZeroTier for a future second public world. */
export const WORLD_ID_MARS = 227883110n;

const U64_MAX = (1n << 64n) - 1n;
const SIGN_PREFIX = new Uint8Array(8).fill(0x7f);
const SIGN_SUFFIX = new Uint8Array(8).fill(0xf7);

export interface WorldEndpoint {
  /** Dotted quad or compressed IPv6 text. */
  ip: string;
  port: number;
}

export interface WorldRoot {
  identity: Identity;
  endpoints: WorldEndpoint[];
}

export interface World {
  type: 'planet' | 'moon';
  id: bigint;
  /** Milliseconds since the epoch by convention; only its order matters to nodes. */
  timestamp: bigint;
  /** 64-byte C25519 public key that must sign the next update of this world. */
  updatesMustBeSignedBy: Uint8Array;
  /** 96-byte C25519 signature (see `signWorld`). */
  signature: Uint8Array;
  roots: WorldRoot[];
}

export type UnsignedWorld = Omit<World, 'signature'>;

/**
 * A random world id for a private planet. Kept in [2^32, 2^53) so it never meets ZeroTier's small
 * reserved ids (Earth, Mars) and stays exact as a JSON number in tools that report it.
 */
export function randomWorldId(): bigint {
  const span = (1n << 53n) - (1n << 32n);
  return (1n << 32n) + (randomBytes(8).readBigUInt64BE() % span);
}

/** The world's bytes as nodes store them (`<home>/planet`, `moons.d/<id>.moon`). */
export function encodeWorld(world: World): Uint8Array {
  if (world.signature.length !== SIGNATURE_LENGTH)
    throw new Error(`world signature must be ${SIGNATURE_LENGTH} bytes, got ${world.signature.length}`);
  return serialize(world, world.signature);
}

/** Signs with `key`, normally the key named by `updatesMustBeSignedBy` of the world being replaced. */
export function signWorld(unsigned: UnsignedWorld, key: WorldSigningKey): World {
  const signature = c25519Sign(key, signingMessage(unsigned));
  return { ...unsigned, signature };
}

/**
 * True iff the world is signed by its own `updatesMustBeSignedBy` (how planets are normally made,
 * and the only check possible without an older copy). Never throws.
 */
export function verifyWorld(world: World): boolean {
  return verifyBy(world.updatesMustBeSignedBy, world);
}

/**
 * ZeroTier's update rule: a node swaps `current` for `candidate` only when both have the same type
 * and id, the candidate is newer, and it is signed by the key `current` names.
 */
export function shouldReplace(current: World, candidate: World): boolean {
  return (
    current.type === candidate.type &&
    current.id === candidate.id &&
    candidate.timestamp > current.timestamp &&
    verifyBy(current.updatesMustBeSignedBy, candidate)
  );
}

function verifyBy(publicKey: Uint8Array, world: World): boolean {
  try {
    return c25519Verify(publicKey, signingMessage(world), world.signature);
  } catch {
    return false; // a world that cannot be serialised cannot carry a valid signature
  }
}

function signingMessage(world: UnsignedWorld): Uint8Array {
  return concatBytes(SIGN_PREFIX, serialize(world, undefined), SIGN_SUFFIX);
}

/** The world's bytes, with the signature field when `signature` is given (the signed form has none). */
function serialize(world: UnsignedWorld, signature: Uint8Array | undefined): Uint8Array {
  if (world.type !== 'planet' && world.type !== 'moon')
    throw new Error(`world type must be "planet" or "moon", got ${JSON.stringify(world.type)}`);
  checkU64(world.id, 'world id');
  checkU64(world.timestamp, 'world timestamp');
  if (world.updatesMustBeSignedBy.length !== PUBLIC_KEY_LENGTH) {
    throw new Error(
      `world updatesMustBeSignedBy must be ${PUBLIC_KEY_LENGTH} bytes, got ${world.updatesMustBeSignedBy.length}`,
    );
  }
  if (world.roots.length > WORLD_MAX_ROOTS)
    throw new Error(`a world has at most ${WORLD_MAX_ROOTS} roots, got ${world.roots.length}`);
  const header = new Uint8Array(17);
  const view = new DataView(header.buffer);
  header[0] = world.type === 'planet' ? WORLD_TYPE_PLANET : WORLD_TYPE_MOON;
  view.setBigUint64(1, world.id);
  view.setBigUint64(9, world.timestamp);
  const parts: Uint8Array[] = [header, world.updatesMustBeSignedBy];
  if (signature) parts.push(signature);
  parts.push(Uint8Array.of(world.roots.length));
  world.roots.forEach((root, r) => {
    const where = `world root ${r} (${root.identity.address})`;
    if (root.endpoints.length > WORLD_MAX_ENDPOINTS_PER_ROOT) {
      throw new Error(
        `${where}: at most ${WORLD_MAX_ENDPOINTS_PER_ROOT} endpoints, got ${root.endpoints.length}`,
      );
    }
    // Public only: a world is handed to every member.
    parts.push(root.identity.toBinary(false), Uint8Array.of(root.endpoints.length));
    for (const endpoint of root.endpoints) parts.push(encodeEndpoint(endpoint, where));
  });
  if (world.type === 'moon') parts.push(Uint8Array.of(0, 0)); // empty dictionary, as ZeroTier writes
  return concatBytes(...parts);
}

function encodeEndpoint({ ip, port }: WorldEndpoint, where: string): Uint8Array {
  const family = isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : undefined;
  if (family === undefined) throw new Error(`${where}: endpoint "${ip}" is not an IPv4 or IPv6 address`);
  try {
    return encodeInetAddress({ family, ip, port });
  } catch (error) {
    throw new Error(`${where}: endpoint ${ip}/${port}: ${(error as Error).message}`, { cause: error });
  }
}

function checkU64(value: bigint, what: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX)
    throw new Error(`${what} must be an unsigned 64-bit integer, got ${String(value)}`);
}

/**
 * Decodes a world strictly: unknown type, a root with a private key, more than 4 roots or 32
 * endpoints, an endpoint that is not IPv4/IPv6, a moon dictionary, truncation or trailing bytes
 * all throw an Error naming the field and offset. The signature is not checked (`verifyWorld`).
 */
export function decodeWorld(input: Uint8Array): World {
  // A plain copy: a Node Buffer's slice() is a view, and fields returned must not alias the input.
  const bytes = new Uint8Array(input);
  let offset = 0;
  const take = (length: number, what: string): Uint8Array => {
    if (offset + length > bytes.length) {
      throw new Error(
        `world truncated: ${what} needs ${length} bytes at offset ${offset}, only ${bytes.length - offset} left`,
      );
    }
    const out = bytes.slice(offset, offset + length);
    offset += length;
    return out;
  };
  const u8 = (what: string) => take(1, what)[0]!;
  const u64 = (what: string) => new DataView(take(8, what).buffer).getBigUint64(0);

  const typeByte = u8('type');
  if (typeByte !== WORLD_TYPE_PLANET && typeByte !== WORLD_TYPE_MOON) {
    throw new Error(
      `world type must be ${WORLD_TYPE_PLANET} (planet) or ${WORLD_TYPE_MOON} (moon), got ${typeByte}`,
    );
  }
  const type = typeByte === WORLD_TYPE_PLANET ? 'planet' : 'moon';
  const id = u64('id');
  const timestamp = u64('timestamp');
  const updatesMustBeSignedBy = take(PUBLIC_KEY_LENGTH, 'updatesMustBeSignedBy');
  const signature = take(SIGNATURE_LENGTH, 'signature');
  const rootCount = u8('root count');
  if (rootCount > WORLD_MAX_ROOTS)
    throw new Error(`world has ${rootCount} roots, at most ${WORLD_MAX_ROOTS} are allowed`);

  const roots: WorldRoot[] = [];
  for (let r = 0; r < rootCount; r++) {
    let decoded: { identity: Identity; length: number };
    try {
      decoded = Identity.fromBinary(bytes, offset);
    } catch (error) {
      throw new Error(`world root ${r} at offset ${offset}: ${(error as Error).message}`, { cause: error });
    }
    const { identity } = decoded;
    if (identity.hasPrivate())
      throw new Error(`world root ${r} (${identity.address}) carries a private key; a world must not`);
    offset += decoded.length;
    const where = `world root ${r} (${identity.address})`;
    const endpointCount = u8(`${where} endpoint count`);
    if (endpointCount > WORLD_MAX_ENDPOINTS_PER_ROOT) {
      throw new Error(
        `${where} has ${endpointCount} endpoints, at most ${WORLD_MAX_ENDPOINTS_PER_ROOT} are allowed`,
      );
    }
    const endpoints: WorldEndpoint[] = [];
    for (let e = 0; e < endpointCount; e++) {
      let address;
      try {
        ({ address } = decodeInetAddress(bytes, offset));
      } catch (error) {
        throw new Error(`${where} endpoint ${e}: ${(error as Error).message}`, { cause: error });
      }
      if (address === null) {
        throw new Error(
          `${where} endpoint ${e} at offset ${offset}: not an IPv4 or IPv6 address (type ${bytes[offset]})`,
        );
      }
      offset += address.family === 4 ? 7 : 19;
      endpoints.push({ ip: address.ip, port: address.port });
    }
    roots.push({ identity, endpoints });
  }
  if (type === 'moon') {
    const dictionaryLength = (u8('moon dictionary length') << 8) | u8('moon dictionary length');
    if (dictionaryLength !== 0)
      throw new Error(`moon dictionary must be empty (length 0), got length ${dictionaryLength}`);
  }
  if (offset !== bytes.length)
    throw new Error(`world has ${bytes.length - offset} unexpected bytes after its end at offset ${offset}`);
  return { type, id, timestamp, updatesMustBeSignedBy, signature, roots };
}
