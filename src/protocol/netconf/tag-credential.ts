// Tag credential (Tag.hpp): a signed (id, value) pair the controller gives a member, matched by
// MATCH_TAGS_* / MATCH_TAG_* rules. `<8 nwid><8 ts><4 id><4 value><5 issuedTo><5 signedBy>
// <1 sigType = 1><2 96><96 sig><2 extra length = 0>`.
import type { Identity } from '../identity.ts';
import { SIGNATURE_LENGTH } from '../identity.ts';
import { WireReader, WireWriter } from './wire-buffer.ts';

const SIGNING_FRAME = new Uint8Array(8).fill(0x7f);
const NO_SIGNER = '0000000000';

export interface TagCredential {
  networkId: string;
  timestamp: bigint;
  id: number;
  value: number;
  issuedTo: string;
  signedBy: string | null;
  signature: Uint8Array | null;
}

function writeBody(tag: TagCredential, w: WireWriter): void {
  w.u64(BigInt(`0x${tag.networkId}`))
    .u64(tag.timestamp)
    .u32(tag.id)
    .u32(tag.value);
  w.address(tag.issuedTo).address(tag.signedBy ?? NO_SIGNER);
}

/** `0x7f×8 ‖ body (with signedBy) ‖ 0x0000 ‖ 0x7f×8`. */
export function tagSigningBytes(tag: TagCredential): Uint8Array {
  const w = new WireWriter().bytes(SIGNING_FRAME);
  writeBody(tag, w);
  return w.u16(0).bytes(SIGNING_FRAME).finish();
}

/** A signed tag as the controller issues it (timestamp = the config's). */
export function issueTag(opts: {
  networkId: string;
  timestamp: number | bigint;
  issuedTo: string;
  id: number;
  value: number;
  signer: Identity;
}): TagCredential {
  const tag: TagCredential = {
    networkId: opts.networkId,
    timestamp: BigInt(opts.timestamp),
    id: opts.id >>> 0,
    value: opts.value >>> 0,
    issuedTo: opts.issuedTo,
    signedBy: opts.signer.address,
    signature: null,
  };
  return { ...tag, signature: opts.signer.sign(tagSigningBytes(tag)) };
}

export function encodeTag(tag: TagCredential, w: WireWriter = new WireWriter()): Uint8Array {
  writeBody(tag, w);
  const signature = tag.signature ?? new Uint8Array(SIGNATURE_LENGTH);
  return w.u8(1).u16(SIGNATURE_LENGTH).bytes(signature).u16(0).finish();
}

export function readTag(r: WireReader): TagCredential {
  const networkId = r.u64('tag network id').toString(16).padStart(16, '0');
  const timestamp = r.u64('tag timestamp');
  const id = r.u32('tag id');
  const value = r.u32('tag value');
  const issuedTo = r.address('tag issued to');
  const signer = r.address('tag signer');
  let signature: Uint8Array | null = null;
  if (r.u8('tag signature type') === 1) {
    const length = r.u16('tag signature length');
    if (length !== SIGNATURE_LENGTH)
      throw new Error(`tag signature length must be ${SIGNATURE_LENGTH}, got ${length}`);
    signature = r.bytes(SIGNATURE_LENGTH, 'tag signature');
  } else {
    r.skip(r.u16('tag signature length'), 'tag signature');
  }
  r.skip(r.u16('tag extra fields length'), 'tag extra fields');
  const signedBy = signer === NO_SIGNER ? null : signer;
  return { networkId, timestamp, id, value, issuedTo, signedBy, signature: signedBy ? signature : null };
}

/** All tags of a `TAG` value (they are simply concatenated). */
export function decodeTags(data: Uint8Array): TagCredential[] {
  const r = new WireReader(data, 0, 'TAG');
  const tags: TagCredential[] = [];
  while (r.remaining > 0) tags.push(readTag(r));
  return tags;
}

export function verifyTag(tag: TagCredential, signer: Identity): boolean {
  if (tag.signedBy === null || tag.signature === null) return false;
  if (tag.signedBy !== signer.address || tag.networkId.slice(0, 10) !== signer.address) return false;
  return signer.verify(tagSigningBytes(tag), tag.signature);
}
