// Certificate of ownership (PROTOCOL-NOTES §2.7): the controller's signed statement that a member
// owns its static IPs, consulted by rules on the "sender IP authenticated" characteristic.
// `<8 nwid><8 ts><8 flags><4 id><2 n>(<1 type><16 value>)×n <5 issuedTo><5 signedBy>
// <1 sigType = 1><2 96><96 sig><2 extra length = 0>`.
import { formatIp, parseIp } from '../../core/cidr/ip.ts';
import { toHex } from '../bytes.ts';
import type { Identity } from '../identity.ts';
import { SIGNATURE_LENGTH } from '../identity.ts';
import { ipBytes, WireReader, WireWriter } from './wire-buffer.ts';

export const COO_THING_MAC = 1;
export const COO_THING_IPV4 = 2;
export const COO_THING_IPV6 = 3;
/** Clients keep at most 16 things per certificate (ZT_CERTIFICATEOFOWNERSHIP_MAX_THINGS). */
export const COO_MAX_THINGS = 16;
const THING_VALUE_LENGTH = 16;
// Signed form is framed by eight 0x7f bytes on both sides, like tags and capabilities.
const SIGNING_FRAME = new Uint8Array(8).fill(0x7f);
const NO_SIGNER = '0000000000';

export type CooThing =
  | { kind: 'ipv4' | 'ipv6'; ip: string }
  | { kind: 'mac'; mac: string }
  | { kind: 'unknown'; type: number; valueHex: string };

export interface CertificateOfOwnership {
  networkId: string;
  timestamp: bigint;
  flags: bigint;
  id: number;
  things: CooThing[];
  issuedTo: string;
  signedBy: string | null;
  signature: Uint8Array | null;
}

/**
 * An unsigned COO for `ips` (plain addresses; an `ip/bits` suffix is ignored). Stock issues one per
 * config with id 1 and the config timestamp; more than 16 things throw rather than being dropped
 * silently (the caller decides what to leave out).
 */
export function createCoo(opts: {
  networkId: string;
  timestamp: number | bigint;
  issuedTo: string;
  ips: readonly string[];
  id?: number;
}): CertificateOfOwnership {
  if (opts.ips.length > COO_MAX_THINGS) {
    throw new Error(
      `a certificate of ownership holds at most ${COO_MAX_THINGS} things, got ${opts.ips.length}`,
    );
  }
  const things = opts.ips.map((text): CooThing => {
    const ip = parseIp(text.split('/')[0] ?? '');
    if (ip === undefined) throw new Error(`not an IP address: "${text}"`);
    return { kind: ip.family === 4 ? 'ipv4' : 'ipv6', ip: formatIp(ip.family, ip.value) };
  });
  return {
    networkId: opts.networkId,
    timestamp: BigInt(opts.timestamp),
    flags: 0n,
    id: opts.id ?? 1,
    things,
    issuedTo: opts.issuedTo,
    signedBy: null,
    signature: null,
  };
}

function writeBody(coo: CertificateOfOwnership, w: WireWriter): void {
  if (coo.things.length > COO_MAX_THINGS) throw new Error(`at most ${COO_MAX_THINGS} things per certificate`);
  w.u64(BigInt(`0x${coo.networkId}`))
    .u64(coo.timestamp)
    .u64(coo.flags)
    .u32(coo.id)
    .u16(coo.things.length);
  for (const thing of coo.things) {
    const value = new Uint8Array(THING_VALUE_LENGTH);
    if (thing.kind === 'mac') {
      value.set(Buffer.from(thing.mac.replace(/:/g, ''), 'hex'));
      w.u8(COO_THING_MAC);
    } else if (thing.kind === 'unknown') {
      value.set(Buffer.from(thing.valueHex, 'hex').subarray(0, THING_VALUE_LENGTH));
      w.u8(thing.type);
    } else {
      const ip = parseIp(thing.ip);
      if (ip === undefined) throw new Error(`not an IP address: "${thing.ip}"`);
      value.set(ipBytes(ip.value, ip.family === 4 ? 4 : 16));
      w.u8(ip.family === 4 ? COO_THING_IPV4 : COO_THING_IPV6);
    }
    w.bytes(value);
  }
  w.address(coo.issuedTo).address(coo.signedBy ?? NO_SIGNER);
}

/** `0x7f×8 ‖ body (with signedBy) ‖ 0x0000 ‖ 0x7f×8`: what the signature covers. */
export function cooSigningBytes(coo: CertificateOfOwnership): Uint8Array {
  const w = new WireWriter().bytes(SIGNING_FRAME);
  writeBody(coo, w);
  return w.u16(0).bytes(SIGNING_FRAME).finish();
}

export function signCoo(coo: CertificateOfOwnership, signer: Identity): CertificateOfOwnership {
  const withSigner = { ...coo, signedBy: signer.address };
  return { ...withSigner, signature: signer.sign(cooSigningBytes(withSigner)) };
}

export function encodeCoo(coo: CertificateOfOwnership, w: WireWriter = new WireWriter()): Uint8Array {
  writeBody(coo, w);
  const signature = coo.signature ?? new Uint8Array(SIGNATURE_LENGTH);
  if (signature.length !== SIGNATURE_LENGTH)
    throw new Error(`COO signature must be ${SIGNATURE_LENGTH} bytes`);
  return w.u8(1).u16(SIGNATURE_LENGTH).bytes(signature).u16(0).finish();
}

export function readCoo(r: WireReader): CertificateOfOwnership {
  const networkId = r.u64('COO network id').toString(16).padStart(16, '0');
  const timestamp = r.u64('COO timestamp');
  const flags = r.u64('COO flags');
  const id = r.u32('COO id');
  const count = r.u16('COO thing count');
  if (count > COO_MAX_THINGS) throw new Error(`COO has ${count} things; at most ${COO_MAX_THINGS} allowed`);
  const things: CooThing[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.u8('COO thing type');
    const value = r.bytes(THING_VALUE_LENGTH, 'COO thing value');
    things.push(decodeThing(type, value));
  }
  const issuedTo = r.address('COO issued to');
  const signer = r.address('COO signer');
  let signature: Uint8Array | null = null;
  if (r.u8('COO signature type') === 1) {
    const length = r.u16('COO signature length');
    if (length !== SIGNATURE_LENGTH)
      throw new Error(`COO signature length must be ${SIGNATURE_LENGTH}, got ${length}`);
    signature = r.bytes(SIGNATURE_LENGTH, 'COO signature');
  } else {
    r.skip(r.u16('COO signature length'), 'COO signature');
  }
  r.skip(r.u16('COO extra fields length'), 'COO extra fields');
  const signedBy = signer === NO_SIGNER ? null : signer;
  return {
    networkId,
    timestamp,
    flags,
    id,
    things,
    issuedTo,
    signedBy,
    signature: signedBy ? signature : null,
  };
}

function decodeThing(type: number, value: Uint8Array): CooThing {
  const big = (bytes: Uint8Array) => bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  if (type === COO_THING_IPV4) return { kind: 'ipv4', ip: formatIp(4, big(value.subarray(0, 4))) };
  if (type === COO_THING_IPV6) return { kind: 'ipv6', ip: formatIp(6, big(value)) };
  if (type === COO_THING_MAC) {
    return {
      kind: 'mac',
      mac: [...value.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':'),
    };
  }
  return { kind: 'unknown', type, valueHex: toHex(value) };
}

export function decodeCoo(data: Uint8Array): CertificateOfOwnership {
  return readCoo(new WireReader(data, 0, 'COO'));
}

/** True when `signer` signed this COO for the network it controls. */
export function verifyCoo(coo: CertificateOfOwnership, signer: Identity): boolean {
  if (coo.signedBy === null || coo.signature === null) return false;
  if (coo.signedBy !== signer.address || coo.networkId.slice(0, 10) !== signer.address) return false;
  return signer.verify(cooSigningBytes(coo), coo.signature);
}
