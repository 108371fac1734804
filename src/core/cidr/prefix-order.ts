// One canonical order for prefixes, used wherever output must not depend on input order: IPv4
// before IPv6, then by network address, then shorter first (so a parent comes right before its
// first child: 10.0.0.0/8, 10.0.0.0/24, 10.1.0.0/16).

import { familyBits } from './ip.ts';
import { isPrefixError, parsePrefix, type Prefix } from './prefix.ts';

export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return a.bits - b.bits;
}

/** `comparePrefixes` for CIDR strings; text that is no prefix sorts after every prefix, by text. */
export function comparePrefixTexts(a: string, b: string): number {
  const x = parsePrefix(a);
  const y = parsePrefix(b);
  if (isPrefixError(x) || isPrefixError(y)) {
    if (isPrefixError(x) !== isPrefixError(y)) return isPrefixError(x) ? 1 : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return comparePrefixes(x, y);
}

/** Number of host bits, i.e. log2 of the number of addresses the prefix covers. */
export function prefixHostBits(p: Prefix): number {
  return familyBits(p.family) - p.bits;
}

/** Number of addresses the prefix covers (exact; up to 2^128). */
export function prefixSize(p: Prefix): bigint {
  return 1n << BigInt(prefixHostBits(p));
}
