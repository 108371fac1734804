// Capability credential (Capability.hpp): a signed set of extra rules a member may apply, with a
// custody chain of (to, from, signature) hops. The controller issues chains of length 1.
// `<8 nwid><8 ts><4 id><2 ruleCount><rules><1 maxCustodyChainLength>
// (<5 to><5 from><1 sigType = 1><2 96><96 sig>)* <5 zero address><2 extra length = 0>`.
import type { FlowRule } from '../../core/network/network-types.ts';
import type { Identity } from '../identity.ts';
import { SIGNATURE_LENGTH } from '../identity.ts';
import { encodeRules, readRules } from './rules-wire.ts';
import { WireReader, WireWriter } from './wire-buffer.ts';

/** ZT_MAX_CAPABILITY_RULES and ZT_MAX_CAPABILITY_CUSTODY_CHAIN_LENGTH. */
export const CAPABILITY_MAX_RULES = 64;
export const CAPABILITY_MAX_CUSTODY_CHAIN = 7;
const SIGNING_FRAME = new Uint8Array(8).fill(0x7f);
const ZERO_ADDRESS = '0000000000';

export interface CustodyHop {
  to: string;
  from: string;
  signature: Uint8Array;
}

export interface CapabilityCredential {
  networkId: string;
  timestamp: bigint;
  id: number;
  rules: FlowRule[];
  maxCustodyChainLength: number;
  custody: CustodyHop[];
}

function writeHead(cap: CapabilityCredential, w: WireWriter): void {
  if (cap.rules.length > CAPABILITY_MAX_RULES) {
    throw new Error(`a capability holds at most ${CAPABILITY_MAX_RULES} rules, got ${cap.rules.length}`);
  }
  w.u64(BigInt(`0x${cap.networkId}`))
    .u64(cap.timestamp)
    .u32(cap.id)
    .u16(cap.rules.length);
  encodeRules(cap.rules, w);
  w.u8(cap.maxCustodyChainLength);
}

/** `0x7f×8 ‖ head without custody ‖ 0x0000 ‖ 0x7f×8` — the same bytes for every hop. */
export function capabilitySigningBytes(cap: CapabilityCredential): Uint8Array {
  const w = new WireWriter().bytes(SIGNING_FRAME);
  writeHead(cap, w);
  return w.u16(0).bytes(SIGNING_FRAME).finish();
}

/** A capability as the controller issues it: chain length 1, one hop controller → member. */
export function issueCapability(opts: {
  networkId: string;
  timestamp: number | bigint;
  id: number;
  rules: readonly FlowRule[];
  issuedTo: string;
  signer: Identity;
}): CapabilityCredential {
  const cap: CapabilityCredential = {
    networkId: opts.networkId,
    timestamp: BigInt(opts.timestamp),
    id: opts.id >>> 0,
    rules: [...opts.rules],
    maxCustodyChainLength: 1,
    custody: [],
  };
  const signature = opts.signer.sign(capabilitySigningBytes(cap));
  return { ...cap, custody: [{ to: opts.issuedTo, from: opts.signer.address, signature }] };
}

export function encodeCapability(cap: CapabilityCredential, w: WireWriter = new WireWriter()): Uint8Array {
  writeHead(cap, w);
  const hops = cap.custody.slice(0, Math.min(cap.maxCustodyChainLength, CAPABILITY_MAX_CUSTODY_CHAIN));
  for (const hop of hops)
    w.address(hop.to).address(hop.from).u8(1).u16(SIGNATURE_LENGTH).bytes(hop.signature);
  return w.address(ZERO_ADDRESS).u16(0).finish();
}

export function readCapability(r: WireReader): CapabilityCredential {
  const networkId = r.u64('capability network id').toString(16).padStart(16, '0');
  const timestamp = r.u64('capability timestamp');
  const id = r.u32('capability id');
  const ruleCount = r.u16('capability rule count');
  if (ruleCount > CAPABILITY_MAX_RULES)
    throw new Error(`capability has ${ruleCount} rules; at most ${CAPABILITY_MAX_RULES}`);
  const rules = readRules(r, ruleCount);
  if (rules.length !== ruleCount) throw new Error('capability rules truncated');
  const maxCustodyChainLength = r.u8('capability custody chain length');
  if (maxCustodyChainLength < 1 || maxCustodyChainLength > CAPABILITY_MAX_CUSTODY_CHAIN) {
    throw new Error(
      `capability custody chain length must be 1..${CAPABILITY_MAX_CUSTODY_CHAIN}, got ${maxCustodyChainLength}`,
    );
  }
  const custody: CustodyHop[] = [];
  for (;;) {
    const to = r.address('custody to');
    if (to === ZERO_ADDRESS) break;
    if (custody.length >= maxCustodyChainLength)
      throw new Error('capability custody chain is longer than allowed');
    const from = r.address('custody from');
    if (r.u8('custody signature type') !== 1) throw new Error('capability custody signature type must be 1');
    const length = r.u16('custody signature length');
    if (length !== SIGNATURE_LENGTH)
      throw new Error(`custody signature length must be ${SIGNATURE_LENGTH}, got ${length}`);
    custody.push({ to, from, signature: r.bytes(SIGNATURE_LENGTH, 'custody signature') });
  }
  r.skip(r.u16('capability extra fields length'), 'capability extra fields');
  return { networkId, timestamp, id, rules, maxCustodyChainLength, custody };
}

/** All capabilities of a `CAP` value (concatenated). */
export function decodeCapabilities(data: Uint8Array): CapabilityCredential[] {
  const r = new WireReader(data, 0, 'CAP');
  const caps: CapabilityCredential[] = [];
  while (r.remaining > 0) caps.push(readCapability(r));
  return caps;
}

/**
 * Checks the first custody hop: signed by `controller`, for the network it controls. (Clients
 * also check further hops against their senders; controllers only ever issue one.)
 */
export function verifyCapability(cap: CapabilityCredential, controller: Identity): boolean {
  const hop = cap.custody[0];
  if (hop === undefined || hop.from !== controller.address) return false;
  if (cap.networkId.slice(0, 10) !== controller.address) return false;
  let bytes: Uint8Array;
  try {
    bytes = capabilitySigningBytes(cap);
  } catch {
    return false; // holds a rule we cannot re-encode (unknown type), so we cannot check it
  }
  return cap.custody.length === 1 && controller.verify(bytes, hop.signature);
}
