// Certificate of membership (PROTOCOL-NOTES §2.7): `<1 = 1><2 n>(<8 id><8 value><8 maxDelta>)×n
// <5 signedBy>[<96 signature>]`. Members exchange COMs and accept each other's frames only when
// every qualifier agrees within its maxDelta, so the controller must re-issue them (timestamp).
import type { Identity } from '../identity.ts';
import { SIGNATURE_LENGTH } from '../identity.ts';
import { WireReader, WireWriter } from './wire-buffer.ts';

export const COM_ID_TIMESTAMP = 0n;
export const COM_ID_NETWORK_ID = 1n;
export const COM_ID_ISSUED_TO = 2n;
/** Qualifiers 3..6 carry SHA-384(address ‖ public key)[0:32] as four big-endian words. */
export const COM_ID_IDENTITY_HASH_FIRST = 3n;
export const COM_MAX_QUALIFIERS = 8;
const ALL_ONES = 0xffffffffffffffffn;
const NO_SIGNER = '0000000000';

export interface ComQualifier {
  id: bigint;
  value: bigint;
  maxDelta: bigint;
}

export interface CertificateOfMembership {
  qualifiers: ComQualifier[];
  /** Address of the signer, or null when unsigned (encoded as five zero bytes). */
  signedBy: string | null;
  signature: Uint8Array | null;
}

/** The unsigned COM a controller issues: timestamp, network, member address, identity hash. */
export function createCom(opts: {
  timestamp: number | bigint;
  /** credentialTimeMaxDelta (ctmd) in ms */
  maxDelta: number | bigint;
  networkId: string;
  issuedTo: Identity;
}): CertificateOfMembership {
  const qualifiers: ComQualifier[] = [
    { id: COM_ID_TIMESTAMP, value: BigInt(opts.timestamp), maxDelta: BigInt(opts.maxDelta) },
    { id: COM_ID_NETWORK_ID, value: BigInt(`0x${opts.networkId}`), maxDelta: 0n },
    { id: COM_ID_ISSUED_TO, value: BigInt(`0x${opts.issuedTo.address}`), maxDelta: ALL_ONES },
  ];
  identityHashWords(opts.issuedTo).forEach((value, i) => {
    qualifiers.push({ id: COM_ID_IDENTITY_HASH_FIRST + BigInt(i), value, maxDelta: ALL_ONES });
  });
  return { qualifiers, signedBy: null, signature: null };
}

function identityHashWords(identity: Identity): bigint[] {
  const r = new WireReader(identity.publicKeyHash(), 0, 'identity hash');
  return [0, 1, 2, 3].map(() => r.u64('hash word'));
}

/** The bytes a COM signature covers: the qualifier triples only. */
export function comSigningBytes(com: CertificateOfMembership): Uint8Array {
  const w = new WireWriter();
  for (const q of com.qualifiers) w.u64(q.id).u64(q.value).u64(q.maxDelta);
  return w.finish();
}

export function signCom(com: CertificateOfMembership, signer: Identity): CertificateOfMembership {
  return { ...com, signedBy: signer.address, signature: signer.sign(comSigningBytes(com)) };
}

/** createCom + signCom: what the controller puts under the netconf `C` key. */
export function issueCom(
  opts: Parameters<typeof createCom>[0] & { signer: Identity },
): CertificateOfMembership {
  return signCom(createCom(opts), opts.signer);
}

export function encodeCom(com: CertificateOfMembership, w: WireWriter = new WireWriter()): Uint8Array {
  if (com.qualifiers.length > COM_MAX_QUALIFIERS)
    throw new Error(`a COM holds at most ${COM_MAX_QUALIFIERS} qualifiers`);
  w.u8(1).u16(com.qualifiers.length);
  for (const q of com.qualifiers) w.u64(q.id).u64(q.value).u64(q.maxDelta);
  if (com.signedBy === null || com.signature === null) return w.address(NO_SIGNER).finish();
  if (com.signature.length !== SIGNATURE_LENGTH)
    throw new Error(`COM signature must be ${SIGNATURE_LENGTH} bytes`);
  return w.address(com.signedBy).bytes(com.signature).finish();
}

/** Reads one COM at the reader's position (ids must ascend, at most 8 qualifiers, like clients). */
export function readCom(r: WireReader): CertificateOfMembership {
  const type = r.u8('COM type');
  if (type !== 1) throw new Error(`COM type must be 1, got ${type}`);
  const count = r.u16('COM qualifier count');
  if (count > COM_MAX_QUALIFIERS)
    throw new Error(`COM has ${count} qualifiers; at most ${COM_MAX_QUALIFIERS} allowed`);
  const qualifiers: ComQualifier[] = [];
  for (let i = 0; i < count; i++) {
    const q = {
      id: r.u64('COM qualifier id'),
      value: r.u64('COM qualifier value'),
      maxDelta: r.u64('COM max delta'),
    };
    if (i > 0 && q.id < qualifiers[i - 1]!.id)
      throw new Error('COM qualifier ids are not in ascending order');
    qualifiers.push(q);
  }
  const signedBy = r.address('COM signer');
  if (signedBy === NO_SIGNER) return { qualifiers, signedBy: null, signature: null };
  return { qualifiers, signedBy, signature: r.bytes(SIGNATURE_LENGTH, 'COM signature') };
}

export function decodeCom(data: Uint8Array): CertificateOfMembership {
  return readCom(new WireReader(data, 0, 'COM'));
}

function qualifier(com: CertificateOfMembership, id: bigint): bigint | undefined {
  return com.qualifiers.find((q) => q.id === id)?.value;
}

export function comTimestamp(com: CertificateOfMembership): bigint | undefined {
  return qualifier(com, COM_ID_TIMESTAMP);
}

export function comNetworkId(com: CertificateOfMembership): string | undefined {
  return qualifier(com, COM_ID_NETWORK_ID)?.toString(16).padStart(16, '0');
}

export function comIssuedTo(com: CertificateOfMembership): string | undefined {
  return qualifier(com, COM_ID_ISSUED_TO)?.toString(16).padStart(10, '0');
}

/**
 * True when the COM is signed by `controller`, that controller is the one the COM's network ID
 * names (nwid >> 24), and the signature is valid.
 */
export function verifyCom(com: CertificateOfMembership, controller: Identity): boolean {
  const networkId = comNetworkId(com);
  if (com.signedBy === null || com.signature === null || networkId === undefined) return false;
  if (com.signedBy !== controller.address || networkId.slice(0, 10) !== controller.address) return false;
  return controller.verify(comSigningBytes(com), com.signature);
}

/**
 * What a member checks on a peer's COM (`agreesWith`): every qualifier of `mine` exists in
 * `theirs` and differs by at most my maxDelta; when mine carries the identity hash, theirs must
 * hold the hash of the identity the peer actually uses. Signatures are checked separately.
 */
export function agrees(
  mine: CertificateOfMembership,
  theirs: CertificateOfMembership,
  theirIdentity: Identity,
): boolean {
  if (mine.qualifiers.length === 0 || theirs.qualifiers.length === 0) return false;
  const other = new Map<bigint, bigint>();
  for (const q of theirs.qualifiers) other.set(q.id, q.value);
  let checkIdentity = false;
  for (const q of mine.qualifiers) {
    if (q.id >= 3n && q.id <= 6n) checkIdentity = true;
    const value = other.get(q.id);
    if (value === undefined) return false;
    const delta = q.value >= value ? q.value - value : value - q.value;
    if (delta > q.maxDelta) return false;
  }
  if (checkIdentity) {
    const words = identityHashWords(theirIdentity);
    for (let i = 0; i < 4; i++) {
      if (other.get(COM_ID_IDENTITY_HASH_FIRST + BigInt(i)) !== words[i]) return false;
    }
  }
  return true;
}
