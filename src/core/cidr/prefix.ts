// CIDR prefixes as (family, network value, bits). Host bits must be zero: a route target with host
// bits set is almost always a typo, and ZeroTier clients would install the masked prefix anyway.

import { familyBits, familyMax, formatIp, parseIp, type IpFamily } from './ip.ts';

export interface Prefix {
  family: IpFamily;
  /** Network address; host bits are zero. */
  value: bigint;
  bits: number;
}

export interface PrefixError {
  error: string;
}

/** Mask with the top `bits` bits set. */
export function prefixMask(family: IpFamily, bits: number): bigint {
  const width = familyBits(family);
  return familyMax(family) ^ ((1n << BigInt(width - bits)) - 1n);
}

/** `value` with everything below the first `bits` bits cleared. */
export function maskIp(family: IpFamily, value: bigint, bits: number): bigint {
  return value & prefixMask(family, bits);
}

export function hostBitsZero(family: IpFamily, value: bigint, bits: number): boolean {
  return maskIp(family, value, bits) === value;
}

/** Last address covered by a prefix. */
export function prefixLast(p: Prefix): bigint {
  return p.value | (familyMax(p.family) ^ prefixMask(p.family, p.bits));
}

export function isPrefixError(result: Prefix | PrefixError): result is PrefixError {
  return 'error' in result;
}

/** Parses `ip/bits` strictly; the error text quotes the input (and the canonical form for host bits). */
export function parsePrefix(text: string): Prefix | PrefixError {
  const shown = JSON.stringify(text);
  if (typeof text !== 'string') return { error: `${String(shown)} is not a CIDR string` };
  const slash = text.indexOf('/');
  if (slash === -1) return { error: `${shown} has no prefix length (expected ip/bits, e.g. 10.0.0.0/8)` };
  const ip = parseIp(text.slice(0, slash));
  if (ip === undefined) return { error: `${shown} does not start with a valid IP address` };
  const bitsText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) {
    return { error: `${shown} has an invalid prefix length (expected a whole number of bits)` };
  }
  const bits = Number(bitsText);
  const width = familyBits(ip.family);
  if (bits > width) {
    return { error: `${shown} has prefix length ${bits}, but IPv${ip.family} allows 0..${width}` };
  }
  if (!hostBitsZero(ip.family, ip.value, bits)) {
    const canonical = formatPrefix({ family: ip.family, value: maskIp(ip.family, ip.value, bits), bits });
    return { error: `${text} has host bits set (did you mean ${canonical}?)` };
  }
  return { family: ip.family, value: ip.value, bits };
}

export function formatPrefix(p: Prefix): string {
  return `${formatIp(p.family, p.value)}/${p.bits}`;
}

export function prefixContainsIp(p: Prefix, family: IpFamily, value: bigint): boolean {
  return p.family === family && maskIp(family, value, p.bits) === p.value;
}

/** True when every address of `inner` is in `outer` (a prefix contains itself). */
export function prefixContainsPrefix(outer: Prefix, inner: Prefix): boolean {
  return (
    outer.family === inner.family &&
    outer.bits <= inner.bits &&
    maskIp(outer.family, inner.value, outer.bits) === outer.value
  );
}

/** Two prefixes overlap exactly when one contains the other. */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return prefixContainsPrefix(a, b) || prefixContainsPrefix(b, a);
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.bits === b.bits && a.value === b.value;
}
