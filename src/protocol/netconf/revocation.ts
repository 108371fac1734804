// Revocation credentials (node/Revocation.hpp in ZeroTier One 1.14): when a member is deauthorized
// the controller tells every online member that certificates of membership of that member issued
// before "now" are void, so they stop talking to it at once instead of when its COM ages out
// (30 min by default). Sent inside NETWORK_CREDENTIALS with the fast-propagate flag, as stock does.
import { SIGNATURE_LENGTH, type Identity } from '../identity.ts';
import { WireReader, WireWriter } from './wire-buffer.ts';

export const REVOCATION_FLAG_FAST_PROPAGATE = 0x1n;
/** Credential types a revocation can target (Credential::Type). */
export const CredentialType = { COM: 1, CAPABILITY: 2, TAG: 3, COO: 4 } as const;

export interface Revocation {
  id: number;
  networkId: string;
  credentialId: number;
  /** ms: credentials of the target timestamped at or before this are revoked. */
  threshold: bigint;
  flags: bigint;
  target: string;
  signedBy: string;
  credentialType: number;
  signature: Uint8Array;
}

const SIGN_MARKER = 0x7f7f7f7f7f7f7f7fn;

function writeBody(w: WireWriter, rev: Omit<Revocation, 'signature'>): WireWriter {
  return w
    .u32(0) // reserved
    .u32(rev.id)
    .u64(BigInt(`0x${rev.networkId}`))
    .u32(0) // reserved
    .u32(rev.credentialId)
    .u64(rev.threshold)
    .u64(rev.flags)
    .address(rev.target)
    .address(rev.signedBy)
    .u8(rev.credentialType);
}

/** The bytes a revocation's signature covers: the body framed by 0x7f×8, with the extension length. */
export function revocationSigningBytes(rev: Omit<Revocation, 'signature'>): Uint8Array {
  return writeBody(new WireWriter().u64(SIGN_MARKER), rev).u16(0).u64(SIGN_MARKER).finish();
}

export function issueRevocation(opts: {
  id: number;
  networkId: string;
  target: string;
  threshold: number;
  controller: Identity;
  credentialType?: number;
}): Revocation {
  const unsigned = {
    id: opts.id >>> 0,
    networkId: opts.networkId,
    credentialId: 0,
    threshold: BigInt(opts.threshold),
    flags: REVOCATION_FLAG_FAST_PROPAGATE,
    target: opts.target,
    signedBy: opts.controller.address,
    credentialType: opts.credentialType ?? CredentialType.COM,
  };
  return { ...unsigned, signature: opts.controller.sign(revocationSigningBytes(unsigned)) };
}

export function encodeRevocation(rev: Revocation, w: WireWriter = new WireWriter()): WireWriter {
  return writeBody(w, rev).u8(1).u16(SIGNATURE_LENGTH).bytes(rev.signature).u16(0);
}

export function readRevocation(r: WireReader): Revocation {
  r.skip(4, 'reserved');
  const id = r.u32('revocation id');
  const networkId = r.u64('network id').toString(16).padStart(16, '0');
  r.skip(4, 'reserved');
  const credentialId = r.u32('credential id');
  const threshold = r.u64('threshold');
  const flags = r.u64('flags');
  const target = r.address('target');
  const signedBy = r.address('signed by');
  const credentialType = r.u8('credential type');
  const signatureType = r.u8('signature type');
  if (signatureType !== 1) throw new Error(`revocation signature type ${signatureType}, expected 1`);
  const length = r.u16('signature length');
  if (length !== SIGNATURE_LENGTH) throw new Error(`revocation signature is ${length} bytes, expected 96`);
  const signature = r.bytes(length, 'signature');
  r.skip(r.u16('extension length'), 'extensions');
  return { id, networkId, credentialId, threshold, flags, target, signedBy, credentialType, signature };
}

export function verifyRevocation(rev: Revocation, controller: Identity): boolean {
  return rev.signedBy === controller.address && controller.verify(revocationSigningBytes(rev), rev.signature);
}

/** NETWORK_CREDENTIALS carrying only revocations: no COM, no capabilities, no tags, no COOs. */
export function encodeRevocationCredentials(revocations: readonly Revocation[]): Uint8Array {
  const w = new WireWriter().u8(0).u16(0).u16(0).u16(revocations.length);
  for (const rev of revocations) encodeRevocation(rev, w);
  return w.u16(0).finish();
}

/** Reads the revocations of a NETWORK_CREDENTIALS payload that carries no COM/caps/tags. */
export function decodeRevocationCredentials(payload: Uint8Array): Revocation[] {
  const r = new WireReader(payload, 0, 'NETWORK_CREDENTIALS');
  if (r.u8('COM marker') !== 0)
    throw new Error('NETWORK_CREDENTIALS carries a COM; only revocation-only payloads are read here');
  if (r.u16('capability count') !== 0 || r.u16('tag count') !== 0) {
    throw new Error(
      'NETWORK_CREDENTIALS carries capabilities or tags; only revocation-only payloads are read here',
    );
  }
  const count = r.u16('revocation count');
  const out: Revocation[] = [];
  for (let i = 0; i < count; i++) out.push(readRevocation(r));
  return out;
}
