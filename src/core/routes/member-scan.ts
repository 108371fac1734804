// The member-dependent facts of a plan: how many authorized members each class has, which members
// hold a via IP (they must not get routes via themselves), and which assigned IPs lie outside every
// via-less route. Built by one pass over all members, then patched member by member on changes.

import { formatIp } from '../cidr/ip.ts';
import { NO_CLASS, type AdvertisedIndex } from './advertised-index.ts';
import type { MemberInfo, MemberTable } from './member-table.ts';
import type { NetworkPart } from './network-part.ts';

export interface StrayIp {
  address: string;
  ip: string;
  /** True when the text is not an IP address at all. */
  invalid: boolean;
}

export interface MemberScan {
  /** Member address → its own via IPs (canonical, sorted, comma-joined); only members holding one. */
  selfVias: ReadonlyMap<string, string>;
  /**
   * Assigned IPs of authorized members outside every via-less route (or not addresses at all), in
   * no particular order except that one member's come together in its order; see `firstStrays`.
   */
  strays: readonly StrayIp[];
}

/**
 * The `max` first strays by address (a member's own in their order), and how many there are —
 * without sorting all of them, which at 100,000 strays would cost more than the rest of a plan.
 */
export function firstStrays(
  strays: readonly StrayIp[],
  keep: (s: StrayIp) => boolean,
  max: number,
): { first: StrayIp[]; total: number } {
  const best: Array<{ s: StrayIp; i: number }> = [];
  let total = 0;
  const before = (a: { s: StrayIp; i: number }, b: { s: StrayIp; i: number }) =>
    a.s.address < b.s.address || (a.s.address === b.s.address && a.i < b.i);
  strays.forEach((s, i) => {
    if (!keep(s)) return;
    total++;
    const item = { s, i };
    if (best.length === max && !before(item, best[max - 1]!)) return;
    let at = best.length;
    while (at > 0 && before(item, best[at - 1]!)) at--;
    best.splice(at, 0, item);
    if (best.length > max) best.pop();
  });
  return { first: best.map((b) => b.s), total };
}

/** Authorized members per class. */
export function countClasses(table: MemberTable, advertised: AdvertisedIndex): Map<number, number> {
  const totals = new Map<number, number>();
  const classOf = advertised.classOf;
  table.forEach((info) => {
    if (!info.authorized) return;
    const key = classOf.get(info.address) ?? NO_CLASS;
    totals.set(key, (totals.get(key) ?? 0) + 1);
  });
  return totals;
}

/** Class totals after replacing `removed` members by `added` ones. */
export function patchClasses(
  totals: ReadonlyMap<number, number>,
  advertised: AdvertisedIndex,
  removed: readonly MemberInfo[],
  added: readonly MemberInfo[],
): Map<number, number> {
  const next = new Map(totals);
  const bump = (info: MemberInfo, by: number) => {
    if (!info.authorized) return;
    const key = advertised.classOf.get(info.address) ?? NO_CLASS;
    const n = (next.get(key) ?? 0) + by;
    if (n === 0) next.delete(key);
    else next.set(key, n);
  };
  removed.forEach((info) => bump(info, -1));
  added.forEach((info) => bump(info, 1));
  return next;
}

function scanOne(info: MemberInfo, net: NetworkPart, selfVias: Map<string, string>, strays: StrayIp[]): void {
  if (!info.authorized) return;
  let own: string[] | undefined;
  for (let i = 0; i < info.ips.length; i++) {
    const v = info.ips[i];
    if (v === undefined) {
      strays.push({ address: info.address, ip: info.ipTexts[i]!, invalid: true });
      continue;
    }
    const inside = typeof v === 'number' ? net.viaLess.hasV4(v) : net.viaLess.has(6, v);
    if (!inside) strays.push({ address: info.address, ip: info.ipTexts[i]!, invalid: false });
    if (net.vias.has(v)) (own ??= []).push(typeof v === 'number' ? formatIp(4, BigInt(v)) : formatIp(6, v));
  }
  if (own) selfVias.set(info.address, [...new Set(own)].sort().join(','));
}

export function scanMembers(table: MemberTable, net: NetworkPart): MemberScan {
  const selfVias = new Map<string, string>();
  const strays: StrayIp[] = [];
  table.forEach((info) => scanOne(info, net, selfVias, strays));
  return { selfVias, strays };
}

/** The scan after replacing the members at `addresses` by `added` (absent ones were removed). */
export function patchScan(
  scan: MemberScan,
  net: NetworkPart,
  addresses: ReadonlySet<string>,
  added: readonly MemberInfo[],
): MemberScan {
  const selfVias = new Map(scan.selfVias);
  for (const address of addresses) selfVias.delete(address);
  const fresh: StrayIp[] = [];
  for (const info of added) scanOne(info, net, selfVias, fresh);
  const strays =
    scan.strays.length === 0 ? fresh : [...scan.strays.filter((s) => !addresses.has(s.address)), ...fresh];
  return { selfVias, strays };
}
