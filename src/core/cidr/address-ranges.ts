// A set of addresses as sorted, disjoint, non-adjacent [first, last] intervals per family. Used to
// answer "is this IP inside any of these prefixes?" by binary search, and to compare the address
// sets two route lists cover. IPv4 bounds are also kept as doubles (exact below 2^53): comparing
// numbers is much cheaper than comparing bigints when 100,000 member IPs are checked.

import type { IpFamily } from './ip.ts';
import { prefixLast, type Prefix } from './prefix.ts';

export interface Interval {
  first: bigint;
  last: bigint;
}

/** Sorted, merged intervals of a list of intervals (touching ones are joined). */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Interval[] = [];
  for (const next of sorted) {
    const top = out[out.length - 1];
    if (top && next.first <= top.last + 1n) {
      if (next.last > top.last) top.last = next.last;
    } else {
      out.push({ first: next.first, last: next.last });
    }
  }
  return out;
}

/** Addresses in `a` but not in `b` (both sorted and merged). */
export function subtractIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const x of a) {
    let first = x.first;
    while (j < b.length && b[j]!.last < first) j++;
    let k = j;
    while (k < b.length && b[k]!.first <= x.last) {
      const y = b[k]!;
      if (y.first > first) out.push({ first, last: y.first - 1n });
      if (y.last >= x.last) {
        first = x.last + 1n;
        break;
      }
      first = y.last + 1n;
      k++;
    }
    if (first <= x.last) out.push({ first, last: x.last });
  }
  return out;
}

export class AddressRanges {
  readonly v4: Interval[];
  readonly v6: Interval[];
  private readonly v4First: Float64Array;
  private readonly v4Last: Float64Array;

  constructor(prefixes: Iterable<Prefix>) {
    const parts: Record<IpFamily, Interval[]> = { 4: [], 6: [] };
    for (const p of prefixes) parts[p.family].push({ first: p.value, last: prefixLast(p) });
    this.v4 = mergeIntervals(parts[4]);
    this.v6 = mergeIntervals(parts[6]);
    this.v4First = Float64Array.from(this.v4, (i) => Number(i.first));
    this.v4Last = Float64Array.from(this.v4, (i) => Number(i.last));
  }

  /** An IPv4 address given as a number. */
  hasV4(ip: number): boolean {
    const firsts = this.v4First;
    let lo = 0;
    let hi = firsts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (firsts[mid]! <= ip) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && ip <= this.v4Last[lo - 1]!;
  }

  has(family: IpFamily, ip: bigint): boolean {
    if (family === 4) return this.hasV4(Number(ip));
    const list = this.v6;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.first <= ip) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && ip <= list[lo - 1]!.last;
  }

  /** Addresses in exactly one of the two sets, per family. */
  symmetricDifference(other: AddressRanges): { 4: Interval[]; 6: Interval[] } {
    const xor = (a: Interval[], b: Interval[]) =>
      mergeIntervals([...subtractIntervals(a, b), ...subtractIntervals(b, a)]);
    return { 4: xor(this.v4, other.v4), 6: xor(this.v6, other.v6) };
  }

  /** Same addresses in both sets. */
  equals(other: AddressRanges): boolean {
    const same = (a: Interval[], b: Interval[]) =>
      a.length === b.length && a.every((x, i) => x.first === b[i]!.first && x.last === b[i]!.last);
    return same(this.v4, other.v4) && same(this.v6, other.v6);
  }
}
