// A ZeroTier type-0 ("C25519") identity: 40-bit address, X25519 + Ed25519 public keys and
// optionally the matching secrets (PROTOCOL-NOTES §2.3, §2.4).
import { inspect } from 'node:util';
import type { KeyObject } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha384 } from '@noble/hashes/sha2.js';
import {
  ed25519PrivateKey,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  sha512Native as sha512,
  x25519PrivateKey,
  x25519PublicKey,
  x25519SharedSecret,
} from './crypto/native-curves.ts';
import { concatBytes, constantTimeEqual, fromHex, toHex } from './bytes.ts';
import { IDENTITY_HASH_FIRST_BYTE_LIMIT, identityHash } from './identity-hash.ts';

export const ADDRESS_LENGTH = 5;
export const PUBLIC_KEY_LENGTH = 64;
export const PRIVATE_KEY_LENGTH = 64;
export const SIGNATURE_LENGTH = 96;
/** Bytes of the agreed symmetric key (ZT_SYMMETRIC_KEY_SIZE); packet armor uses the first 32. */
export const AGREED_KEY_LENGTH = 48;

const ADDRESS_RE = /^[0-9a-f]{10}$/;

/** Address 0 and addresses starting with 0xff are reserved and never valid for a node. */
export function isReservedAddress(address: string): boolean {
  return address === '0000000000' || address.startsWith('ff');
}

export type IdentityWithPrivate = Identity & { readonly privateKey: Uint8Array };

export class Identity {
  readonly address: string;
  /** X25519 public (32) ‖ Ed25519 public (32). */
  readonly publicKey: Uint8Array;
  /** X25519 secret (32) ‖ Ed25519 seed (32). */
  readonly privateKey?: Uint8Array;
  // Native key objects, made on first use: building one costs more than the operation itself.
  private signingKey?: KeyObject;
  private verifyingKey?: KeyObject;
  private agreementKey?: KeyObject;
  private agreementPublicKey?: KeyObject;
  /** toString(false), made on first use (a controller keys its per-member caches by it). */
  private publicText?: string;

  /** Checks shapes only; whether the address belongs to the key is `locallyValidate()`'s job. */
  constructor(address: string, publicKey: Uint8Array, privateKey?: Uint8Array) {
    if (!ADDRESS_RE.test(address))
      throw new Error(`identity address must be 10 lower-case hex digits, got "${address}"`);
    if (publicKey.length !== PUBLIC_KEY_LENGTH) {
      throw new Error(`identity public key must be ${PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`);
    }
    if (privateKey !== undefined && privateKey.length !== PRIVATE_KEY_LENGTH) {
      throw new Error(`identity private key must be ${PRIVATE_KEY_LENGTH} bytes, got ${privateKey.length}`);
    }
    this.address = address;
    this.publicKey = publicKey.slice();
    if (privateKey !== undefined) this.privateKey = privateKey.slice();
  }

  /**
   * Parses `<10 hex address>:0:<128 hex public>[:<128 hex private>]` (surrounding whitespace,
   * e.g. a file's trailing newline, is ignored; hex may be upper case).
   */
  static parse(text: string): Identity {
    const fields = text.trim().split(':');
    if (fields.length !== 3 && fields.length !== 4) {
      throw new Error(
        `identity must have 3 or 4 ':'-separated fields (address:0:public[:private]), got ${fields.length}`,
      );
    }
    const [addressText, type, publicHex, privateHex] = fields as [string, string, string, string | undefined];
    const address = addressText.toLowerCase();
    if (!ADDRESS_RE.test(address))
      throw new Error(`identity address must be 10 hex digits, got "${addressText}"`);
    if (isReservedAddress(address)) throw new Error(`identity address ${address} is reserved`);
    if (type !== '0') throw new Error(`identity type must be 0 (C25519), got "${type}"`);
    const publicKey = fromHex(publicHex, 'identity public key', PUBLIC_KEY_LENGTH);
    const privateKey =
      privateHex === undefined ? undefined : fromHex(privateHex, 'identity private key', PRIVATE_KEY_LENGTH);
    return new Identity(address, publicKey, privateKey);
  }

  /**
   * Builds the identity of a private key: derives both public halves and the address from the
   * memory-hard digest (slow, ~50 ms). The result may still fail `locallyValidate()`.
   */
  static fromPrivateKey(privateKey: Uint8Array, digest?: Uint8Array): IdentityWithPrivate {
    if (privateKey.length !== PRIVATE_KEY_LENGTH) {
      throw new Error(`identity private key must be ${PRIVATE_KEY_LENGTH} bytes, got ${privateKey.length}`);
    }
    const publicKey = derivePublicKey(privateKey);
    const d = digest ?? identityHash(publicKey);
    return new Identity(toHex(d.subarray(59, 64)), publicKey, privateKey) as IdentityWithPrivate;
  }

  /** Reads `<5 address><1 type = 0><64 public><1 private length: 0 | 64>[private]` at `offset`. */
  static fromBinary(buf: Uint8Array, offset = 0): { identity: Identity; length: number } {
    const need = (n: number, what: string) => {
      if (offset + n > buf.length) throw new Error(`binary identity truncated: missing ${what}`);
    };
    need(ADDRESS_LENGTH + 1 + PUBLIC_KEY_LENGTH + 1, 'address, type, public key or private key length');
    const address = toHex(buf.subarray(offset, offset + ADDRESS_LENGTH));
    const type = buf[offset + ADDRESS_LENGTH]!;
    if (type !== 0) throw new Error(`binary identity type must be 0 (C25519), got ${type}`);
    const pubStart = offset + ADDRESS_LENGTH + 1;
    const publicKey = buf.subarray(pubStart, pubStart + PUBLIC_KEY_LENGTH);
    const privLength = buf[pubStart + PUBLIC_KEY_LENGTH]!;
    let length = ADDRESS_LENGTH + 1 + PUBLIC_KEY_LENGTH + 1;
    let privateKey: Uint8Array | undefined;
    if (privLength !== 0) {
      if (privLength !== PRIVATE_KEY_LENGTH) {
        throw new Error(
          `binary identity private key length must be 0 or ${PRIVATE_KEY_LENGTH}, got ${privLength}`,
        );
      }
      need(length + PRIVATE_KEY_LENGTH, 'private key');
      privateKey = buf.subarray(offset + length, offset + length + PRIVATE_KEY_LENGTH);
      length += PRIVATE_KEY_LENGTH;
    }
    if (isReservedAddress(address)) throw new Error(`binary identity address ${address} is reserved`);
    return { identity: new Identity(address, publicKey, privateKey), length };
  }

  hasPrivate(): this is IdentityWithPrivate {
    return this.privateKey !== undefined;
  }

  addressBytes(): Uint8Array {
    return fromHex(this.address, 'identity address', ADDRESS_LENGTH);
  }

  /** The public identity only; an identity without a secret ignores `includePrivate`. */
  withoutPrivate(): Identity {
    return this.hasPrivate() ? new Identity(this.address, this.publicKey) : this;
  }

  toString(includePrivate = false): string {
    const base = (this.publicText ??= `${this.address}:0:${toHex(this.publicKey)}`);
    return includePrivate && this.privateKey ? `${base}:${toHex(this.privateKey)}` : base;
  }

  toBinary(includePrivate = false): Uint8Array {
    const priv = includePrivate ? this.privateKey : undefined;
    return concatBytes(
      this.addressBytes(),
      Uint8Array.of(0),
      this.publicKey,
      Uint8Array.of(priv ? PRIVATE_KEY_LENGTH : 0),
      priv ?? new Uint8Array(0),
    );
  }

  /** Serialises as the public string so logging or JSON never leaks the secret. */
  toJSON(): string {
    return this.toString(false);
  }

  [inspect.custom](): string {
    return `Identity(${this.toString(false)}${this.privateKey ? ' +private' : ''})`;
  }

  equals(other: Identity): boolean {
    return this.address === other.address && constantTimeEqual(this.publicKey, other.publicKey);
  }

  /**
   * ZeroTier's signature: Ed25519 over the first 32 bytes of SHA-512(message), followed by those
   * 32 bytes (96 bytes total; deterministic).
   */
  sign(message: Uint8Array): Uint8Array {
    const priv = this.requirePrivate('sign');
    this.signingKey ??= ed25519PrivateKey(priv.subarray(32, 64));
    const h = sha512(message).subarray(0, 32);
    return concatBytes(ed25519Sign(h, this.signingKey), h);
  }

  /** True iff `signature` is a 96-byte ZeroTier signature of `message` by this identity. */
  verify(message: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== SIGNATURE_LENGTH) return false;
    const h = sha512(message).subarray(0, 32);
    if (!constantTimeEqual(signature.subarray(64, 96), h)) return false;
    try {
      this.verifyingKey ??= ed25519PublicKey(this.publicKey.subarray(32, 64));
      return ed25519Verify(h, signature.subarray(0, 64), this.verifyingKey);
    } catch {
      return false; // malformed point or encoding: simply not a valid signature
    }
  }

  /**
   * The 48-byte symmetric key shared with `other`: SHA-512(X25519(our secret, their public))[0:48].
   * Throws for a public key that yields the all-zero secret (a low-order point, never honest).
   */
  agree(other: Identity): Uint8Array {
    const priv = this.requirePrivate('agree');
    this.agreementKey ??= x25519PrivateKey(priv.subarray(0, 32));
    other.agreementPublicKey ??= x25519PublicKey(other.publicKey.subarray(0, 32));
    // OpenSSL refuses a low-order public key (all-zero secret) by throwing, as noble did.
    const raw = x25519SharedSecret(this.agreementKey, other.agreementPublicKey);
    return sha512(raw).slice(0, AGREED_KEY_LENGTH);
  }

  /** SHA-384(address ‖ public key): what certificates of membership commit to. */
  publicKeyHash(): Uint8Array {
    return sha384(concatBytes(this.addressBytes(), this.publicKey));
  }

  /**
   * The full local check ZeroTier applies before trusting an identity (~50 ms, synchronous: use
   * `validateIdentity()` from identity-pool.ts on a server). Also checks that a present private
   * key really belongs to the public key, which ZeroTier itself does not.
   */
  locallyValidate(): boolean {
    if (isReservedAddress(this.address)) return false;
    if (this.privateKey && !constantTimeEqual(derivePublicKey(this.privateKey), this.publicKey)) return false;
    return digestMatchesAddress(identityHash(this.publicKey), this.address);
  }

  private requirePrivate(operation: string): Uint8Array {
    if (!this.privateKey)
      throw new Error(`identity ${this.address} has no private key (needed to ${operation})`);
    return this.privateKey;
  }
}

/** X25519 public ‖ Ed25519 public for a 64-byte private key. */
export function derivePublicKey(privateKey: Uint8Array): Uint8Array {
  return concatBytes(
    x25519.getPublicKey(privateKey.subarray(0, 32)),
    ed25519.getPublicKey(privateKey.subarray(32, 64)),
  );
}

/** The hashcash condition on a memory-hard digest: first byte below 17 and last 5 bytes = address. */
export function digestMatchesAddress(digest: Uint8Array, address: string): boolean {
  return digest[0]! < IDENTITY_HASH_FIRST_BYTE_LIMIT && toHex(digest.subarray(59, 64)) === address;
}
