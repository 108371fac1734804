// The route planner: from a network, its IPAM, its members and the advertised routes to exactly the
// routes each member is sent. Pure and deterministic. Built for 100,000 members: the routes shared by
// all are computed once, members with the same own routes share one list (built on first use), and
// `RoutePlanner.update` re-plans after a change reusing everything the change cannot affect — a
// member change patches the member facts, a network or IPAM change keeps the parsed members.

import { invalidField } from '../errors.ts';
import { ZT_MAX_NETWORK_ROUTES } from '../network/limits.ts';
import type { IpamSubnet } from '../ipam/ipam-types.ts';
import { AdvertisedIndex, NO_CLASS } from './advertised-index.ts';
import { MemberIpIndex } from './member-ip-index.ts';
import { MemberTable, parseMember, type MemberInfo } from './member-table.ts';
import {
  countClasses,
  firstStrays,
  patchClasses,
  patchScan,
  scanMembers,
  type MemberScan,
  type StrayIp,
} from './member-scan.ts';
import { NetworkPart, type MemberList } from './network-part.ts';
import { routeLimitError } from './route-limit.ts';
import type {
  AdvertisedRoute,
  MemberAggregation,
  PlannedRoute,
  PlannerInput,
  PlannerMember,
  PlannerNetwork,
  PlanProblem,
  RoutePlan,
} from './route-types.ts';

/** Problems listed one by one before the rest are summed up in one more problem. */
export const PROBLEM_DETAIL_LIMIT = 20;
/** Member addresses listed in one `perMember` aggregation entry. */
export const AGGREGATION_MEMBER_LIMIT = 100;

export interface PlannerChange {
  network?: Partial<PlannerNetwork>;
  ipam?: readonly IpamSubnet[];
  advertised?: AdvertisedRoute[];
  limit?: number;
  /** Members added or replaced (by address). Applied after `removeMembers`. */
  upsertMembers?: PlannerMember[];
  removeMembers?: string[];
}

export interface RoutePlanner {
  readonly plan: RoutePlan;
  /** A planner for the changed input; throws (ROUTE_LIMIT, INVALID_INPUT) and leaves this one as it was. */
  update(change: PlannerChange): RoutePlanner;
  /** Every member the plan knows, authorized or not, in no particular order. */
  forEachMember(fn: (address: string, authorized: boolean) => void): void;
  /** The plan's facts about one member, or undefined when it does not know the address. */
  member(address: string): PlannerMember | undefined;
}

/** Past this many members changed since the IP index was built, a network change rescans everyone. */
const MAX_DIRTY = 4096;

interface State {
  net: NetworkPart;
  adv: AdvertisedIndex;
  table: MemberTable;
  /** Authorized members per class. */
  classes: ReadonlyMap<number, number>;
  scan: MemberScan;
  /** Member IPs by value, as of some earlier table; `dirty` lists the members changed since (null: too many). */
  ipIndex: MemberIpIndex;
  dirty: ReadonlySet<string> | null;
}

/** The shared list a member gets (identical object for members of one class), for diffs. */
const listLookups = new WeakMap<RoutePlan, (address: string) => readonly PlannedRoute[]>();

export function sharedRoutesOf(plan: RoutePlan, address: string): readonly PlannedRoute[] {
  const lookup = listLookups.get(plan);
  return lookup ? lookup(address) : plan.routesFor(address);
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return ZT_MAX_NETWORK_ROUTES;
  if (!Number.isInteger(limit) || limit < 1)
    throw invalidField('limit', `expected a positive integer, got ${limit}`);
  return limit;
}

interface Check {
  /** 'all': the routes every member shares; 'class': members of a class; else one member's address. */
  member: string;
  classId: number;
  selfVias: string;
  list: MemberList;
}

/** A member's own key for NetworkPart.list: its via IPs, then `#` and the routes it is left out of. */
function ownKey(state: State, address: string): string {
  const vias = state.scan.selfVias.get(address) ?? '';
  const left = state.adv.exclusions.get(address);
  return left === undefined ? vias : `${vias}#${left}`;
}

/** Authorized members with a list of their own (holding a via IP, or left out of a route), sorted. */
function holdersOf(state: State): Array<[string, string]> {
  const addresses = new Set(state.scan.selfVias.keys());
  for (const address of state.adv.exclusions.keys()) {
    if (state.table.get(address)?.authorized) addresses.add(address);
  }
  return [...addresses].sort().map((address) => [address, ownKey(state, address)]);
}

function isHolder(state: State, address: string): boolean {
  return state.scan.selfVias.has(address) || state.adv.exclusions.has(address);
}

function checks(state: State): Check[] {
  const { net, adv } = state;
  // Members holding a via IP get their own list; the rest of their class shares the class list.
  const plain = new Map(state.classes);
  const holders = holdersOf(state);
  for (const [address] of holders) {
    const id = adv.classOf.get(address) ?? NO_CLASS;
    plain.set(id, (plain.get(id) ?? 0) - 1);
  }
  const out: Check[] = [{ member: 'all', classId: NO_CLASS, selfVias: '', list: net.list(NO_CLASS, '') }];
  for (const id of [...plain.keys()].sort(adv.compareClasses)) {
    if (id !== NO_CLASS && plain.get(id)! > 0)
      out.push({ member: 'class', classId: id, selfVias: '', list: net.list(id, '') });
  }
  for (const [address, vias] of holders) {
    const id = adv.classOf.get(address) ?? NO_CLASS;
    out.push({ member: address, classId: id, selfVias: vias, list: net.list(id, vias) });
  }
  return out;
}

/** Authorized members a check stands for, sorted (a scan: only for errors and reports). */
function membersOf(state: State, check: Check): string[] {
  if (check.selfVias !== '') return [check.member];
  const out: string[] = [];
  state.table.forEach((info) => {
    if (
      info.authorized &&
      (state.adv.classOf.get(info.address) ?? NO_CLASS) === check.classId &&
      !isHolder(state, info.address)
    ) {
      out.push(info.address);
    }
  });
  return out.sort();
}

function enforceLimit(state: State, all: Check[]): void {
  const failed = all.filter((c) => c.list.over);
  if (failed.length === 0) return;
  // The longest list first, "every member" winning ties; otherwise check order, so the message is stable.
  failed.sort(
    (a, b) =>
      b.list.raw().length - a.list.raw().length || (a.member === 'all' ? -1 : b.member === 'all' ? 1 : 0),
  );
  const worst = failed[0]!;
  const member = worst.member === 'all' ? null : membersOf(state, worst)[0]!;
  const aggregated =
    state.net.network.routeLimitStrategy === 'aggregate' ? worst.list.routes.length : undefined;
  throw routeLimitError({ member, raw: worst.list.raw(), aggregated }, state.net.limit);
}

function strayProblems(strays: readonly StrayIp[]): PlanProblem[] {
  const out: PlanProblem[] = [];
  const report = (
    invalid: boolean,
    code: string,
    say: (s: StrayIp) => string,
    summary: (n: number) => string,
  ) => {
    const { first, total } = firstStrays(strays, (s) => s.invalid === invalid, PROBLEM_DETAIL_LIMIT);
    first.forEach((s) => out.push({ code, message: say(s) }));
    if (total > first.length) out.push({ code, message: summary(total - first.length) });
  };
  report(
    true,
    'INVALID_MEMBER_IP',
    (s) => `member ${s.address} has ${JSON.stringify(s.ip)} assigned, which is not an IP address`,
    (n) => `and ${n} more assigned values that are not IP addresses`,
  );
  report(
    false,
    'IP_OUTSIDE_ROUTES',
    (s) =>
      `member ${s.address} has ${s.ip} assigned, outside every route without a via; ZeroTier will not use it`,
    (n) => `and ${n} more assigned IPs outside every route without a via`,
  );
  return out;
}

function assemble(state: State): RoutePlan {
  const { net, adv, table, scan } = state;
  const all = checks(state);
  enforceLimit(state, all);

  const problems = [...net.problems];
  const seenDuplicates = new Set<string>();
  for (const check of all) {
    for (const target of check.list.duplicateTargets) {
      if (seenDuplicates.has(target)) continue;
      seenDuplicates.add(target);
      problems.push({
        code: 'DUPLICATE_TARGET',
        message: `some members get ${target} via more than one gateway; ZeroTier installs only the first`,
      });
    }
  }
  problems.push(...strayProblems(scan.strays));

  const perMember: MemberAggregation[] = [];
  for (const check of all) {
    if (check.list.merges.length === 0) continue;
    const members = membersOf(state, check);
    perMember.push({
      members: members.slice(0, AGGREGATION_MEMBER_LIMIT),
      memberCount: members.length,
      before: check.list.before,
      after: check.list.routes.length,
      merges: check.list.merges,
    });
  }
  const plan: RoutePlan = {
    networkRoutes: net.networkRoutes,
    limit: net.limit,
    problems,
    routesFor: (address) => listFor(address).slice(),
  };
  if (net.aggregation || perMember.length > 0) {
    const base = net.aggregation ?? { before: net.sharedRaw.length, after: net.sharedRaw.length, merges: [] };
    plan.aggregated = perMember.length > 0 ? { ...base, perMember } : base;
  }

  const none: readonly PlannedRoute[] = Object.freeze([]);
  function listFor(address: string): readonly PlannedRoute[] {
    const info = table.get(address);
    if (info && !info.authorized) return none; // unauthorized members are sent no config at all
    const classId = adv.classOf.get(address) ?? NO_CLASS;
    const key = info && (scan.selfVias.size > 0 || adv.exclusions.size > 0) ? ownKey(state, address) : '';
    const list = net.list(classId, key);
    if (list.over) {
      // Only reachable for an address that is not a member: members were checked above.
      const aggregated = net.network.routeLimitStrategy === 'aggregate' ? list.routes.length : undefined;
      throw routeLimitError({ member: address, raw: list.raw(), aggregated }, net.limit);
    }
    return list.routes;
  }
  listLookups.set(plan, listFor);
  return Object.freeze(plan);
}

function plannerOf(state: State): RoutePlanner {
  const plan = assemble(state);
  return {
    plan,
    update: (change) => plannerOf(next(state, change)),
    forEachMember: (fn) => state.table.forEach((info) => fn(info.address, info.authorized)),
    member: (address) => {
      const info = state.table.get(address);
      return info && { address, authorized: info.authorized, ipAssignments: [...info.ipTexts] };
    },
  };
}

/** The member facts after a network change: only members with IPs where coverage or vias changed. */
function rescan(
  state: State,
  table: MemberTable,
  dirty: ReadonlySet<string> | null,
  net: NetworkPart,
): Pick<State, 'scan' | 'ipIndex' | 'dirty'> {
  if (dirty === null) {
    return { scan: scanMembers(table, net), ipIndex: new MemberIpIndex(table), dirty: new Set() };
  }
  const changed = net.viaLess.symmetricDifference(state.net.viaLess);
  for (const v of net.vias) if (!state.net.vias.has(v)) addPoint(changed, v);
  for (const v of state.net.vias) if (!net.vias.has(v)) addPoint(changed, v);
  const candidates = new Set(dirty);
  state.ipIndex.collect(changed, candidates);
  const infos = [...candidates].flatMap((a) => table.get(a) ?? []);
  return { scan: patchScan(state.scan, net, candidates, infos), ipIndex: state.ipIndex, dirty };
}

function addPoint(
  intervals: { 4: Array<{ first: bigint; last: bigint }>; 6: Array<{ first: bigint; last: bigint }> },
  v: number | bigint,
) {
  const value = BigInt(v);
  intervals[typeof v === 'number' ? 4 : 6].push({ first: value, last: value });
}

function next(state: State, change: PlannerChange): State {
  const adv = change.advertised ? new AdvertisedIndex(change.advertised, state.adv) : state.adv;
  const networkChanged =
    change.network !== undefined || change.ipam !== undefined || change.limit !== undefined;
  const net =
    networkChanged || adv !== state.adv
      ? new NetworkPart(
          { ...state.net.network, ...change.network },
          change.ipam ?? state.net.ipam,
          adv,
          change.limit === undefined ? state.net.limit : checkLimit(change.limit),
        )
      : state.net;
  const classesChanged = adv.classOf !== state.adv.classOf;

  const removals = change.removeMembers ?? [];
  const upserts = (change.upsertMembers ?? []).map(parseMember);
  let table = state.table;
  let classes = state.classes;
  let dirty = state.dirty;
  let scan = state.scan;
  if (removals.length + upserts.length > 0) {
    const touched = new Set([...removals, ...upserts.map((u) => u.address)]);
    table = state.table.with(upserts, removals);
    const before: MemberInfo[] = [...touched].flatMap((a) => state.table.get(a) ?? []);
    const after: MemberInfo[] = [...touched].flatMap((a) => table.get(a) ?? []);
    if (!classesChanged) classes = patchClasses(state.classes, adv, before, after);
    scan = patchScan(state.scan, state.net, touched, after); // against the old network; see below
    dirty =
      state.dirty === null || state.dirty.size + touched.size > MAX_DIRTY
        ? null
        : new Set([...state.dirty, ...touched]);
  }
  if (classesChanged) {
    // A patched index names the members it re-classed: move just those between class totals.
    const moved = adv.reclassified;
    // (Only without member changes in the same update: those were not counted against either index.)
    if (moved !== undefined && removals.length + upserts.length === 0 && moved.length < 10_000) {
      const infos = moved.flatMap((a) => table.get(a) ?? []);
      const counts = new Map(classes);
      for (const info of infos) {
        if (!info.authorized) continue;
        const from = state.adv.classOf.get(info.address) ?? NO_CLASS;
        const to = adv.classOf.get(info.address) ?? NO_CLASS;
        if (from === to) continue;
        const left = (counts.get(from) ?? 0) - 1;
        if (left === 0) counts.delete(from);
        else counts.set(from, left);
        counts.set(to, (counts.get(to) ?? 0) + 1);
      }
      classes = counts;
    } else {
      classes = countClasses(table, adv);
    }
  }
  if (net === state.net) return { net, adv, table, classes, scan, ipIndex: state.ipIndex, dirty };
  return { net, adv, table, classes, ...rescan({ ...state, scan }, table, dirty, net) };
}

export function createRoutePlanner(input: PlannerInput): RoutePlanner {
  const adv = new AdvertisedIndex(input.advertised);
  const net = new NetworkPart(input.network, input.ipam, adv, checkLimit(input.limit));
  const table = MemberTable.build(input.members);
  return plannerOf({
    net,
    adv,
    table,
    classes: countClasses(table, adv),
    scan: scanMembers(table, net),
    ipIndex: new MemberIpIndex(table),
    dirty: new Set(),
  });
}

/** One plan; to re-plan after changes cheaply, keep a `createRoutePlanner` and `update` it. */
export function planRoutes(input: PlannerInput): RoutePlan {
  return createRoutePlanner(input).plan;
}
