// Member IPs sorted by value, to find the members whose IPs fall in an address range without
// visiting all 100,000. Built from one version of the member table; members changed since then are
// kept in a "dirty" set that callers always treat as candidates, so the index never has to be
// updated in place (which would cost a copy of the whole index per member change).

import type { Interval } from '../cidr/address-ranges.ts';
import type { MemberTable } from './member-table.ts';

const SLOT_BITS = 2 ** 20;

export class MemberIpIndex {
  /** IPv4 value · 2^20 + owner position, sorted; falls back to parallel arrays past 2^20 IPs. */
  private readonly v4: Float64Array;
  private readonly v4Owners: string[];
  private readonly packed: boolean;
  private readonly v6: Array<{ value: bigint; address: string }> = [];

  constructor(table: MemberTable) {
    let count = 0;
    table.forEach((info) => {
      for (const v of info.ips) if (typeof v === 'number') count++;
    });
    const values = new Float64Array(count);
    const owners: string[] = new Array(count);
    this.packed = count < SLOT_BITS;
    let n = 0;
    table.forEach((info) => {
      for (const v of info.ips) {
        if (typeof v === 'number') {
          // Value and position in one double (2^32 · 2^20 < 2^53): one typed-array sort, no comparator.
          values[n] = this.packed ? v * SLOT_BITS + n : v;
          owners[n++] = info.address;
        } else if (v !== undefined) {
          this.v6.push({ value: v, address: info.address });
        }
      }
    });
    if (this.packed) {
      this.v4 = values.sort();
      this.v4Owners = owners;
    } else {
      const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
      this.v4 = Float64Array.from(order, (i) => values[i]!);
      this.v4Owners = order.map((i) => owners[i]!);
    }
    this.v6.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }

  /** Adds to `out` every member with an IP inside one of the intervals. */
  collect(intervals: { 4: readonly Interval[]; 6: readonly Interval[] }, out: Set<string>): void {
    const v4 = this.v4;
    const scale = this.packed ? SLOT_BITS : 1;
    for (const { first, last } of intervals[4]) {
      const lo = Number(first) * scale;
      const hi = (Number(last) + 1) * scale; // exclusive
      for (let i = lowerBound(v4.length, (k) => v4[k]! < lo); i < v4.length && v4[i]! < hi; i++) {
        out.add(this.v4Owners[this.packed ? v4[i]! % SLOT_BITS : i]!);
      }
    }
    for (const { first, last } of intervals[6]) {
      const v6 = this.v6;
      for (
        let i = lowerBound(v6.length, (k) => v6[k]!.value < first);
        i < v6.length && v6[i]!.value <= last;
        i++
      ) {
        out.add(v6[i]!.address);
      }
    }
  }
}

/** First index in [0, n) for which `below` is false (it must be true then false). */
function lowerBound(n: number, below: (k: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
