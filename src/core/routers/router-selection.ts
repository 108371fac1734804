// Which router carries each advertised prefix, and the planner's advertised routes that follow.
// Pure and deterministic: the health layer and the store supply facts and the time, the service
// keeps `primaries` and passes it back as `previous`, which is all the memory stickiness needs.
//
// Eligible: advertised, approved, the router authorized, holding an IP of the prefix's family (the
// via), and not down. Draining routers stay eligible so that a prefix whose only router is draining
// keeps its route (maintenance is announced, not an outage), but they are left for any healthy one.
//
// Routers of a prefix never receive routes for it, in either mode: a router that advertises a
// prefix has it locally, and a route to its own LAN via another router would pull its LAN traffic
// into the tunnel. (The planner would drop only the route via the router's own IP.)
//
// Standby forms. zerotier-one 1.14.1 applies a config by removing the routes it no longer holds
// first, about a second each, during which the member forwards nothing at all; adding routes costs
// nothing, and the kernel prefers the longest prefix (test/interop FINDINGS §9). So members are sent,
// besides the chosen router's form, the form of every other router of the prefix that could carry it
// (advertised, approved, authorized, with a via; down ones too) whose form is shallower: it changes
// nothing while the chosen one's deeper form is there. A move to a deeper form then only adds routes
// (applied at once), and the old router's form simply stays below; a move to a shallower form only
// removes the deeper forms (which, after a failure, carry nothing anyway) and finds its own in place.

import { invalidField } from '../errors.ts';
import { formatIp, parseIp, type IpFamily } from '../cidr/ip.ts';
import { formatPrefix, isPrefixError, parsePrefix, type Prefix } from '../cidr/prefix.ts';
import { comparePrefixes } from '../cidr/prefix-order.ts';
import type { AdvertisedRoute } from '../routes/route-types.ts';
import { assignByRendezvous } from './rendezvous.ts';
import { formsDisjoint, targetsFor } from './target-forms.ts';
import {
  MAX_METRIC,
  SLOT_COUNT,
  type Advertisement,
  type PrefixSelection,
  type PrimaryChange,
  type RouterChoice,
  type RouterSelection,
  type RouterState,
  type SelectionInput,
} from './router-types.ts';

interface Group {
  prefix: Prefix;
  text: string;
  rows: Advertisement[];
}

function groupRows(advertisements: readonly Advertisement[]): Group[] {
  const groups = new Map<string, Group>();
  const seen = new Set<string>();
  advertisements.forEach((row, i) => {
    const path = `advertisements[${i}]`;
    const p = typeof row.prefix === 'string' ? parsePrefix(row.prefix) : { error: 'expected a CIDR string' };
    if (isPrefixError(p)) throw invalidField(`${path}.prefix`, p.error);
    if (!Number.isInteger(row.slot) || row.slot < 0 || row.slot >= SLOT_COUNT) {
      throw invalidField(
        `${path}.slot`,
        `expected an integer within [0, ${SLOT_COUNT - 1}], got ${row.slot}`,
      );
    }
    if (!Number.isInteger(row.metric) || row.metric < 0 || row.metric > MAX_METRIC) {
      throw invalidField(
        `${path}.metric`,
        `expected an integer within [0, ${MAX_METRIC}], got ${row.metric}`,
      );
    }
    const text = formatPrefix(p);
    const key = `${row.member} ${text}`;
    if (seen.has(key)) throw invalidField(path, `a second row for member ${row.member} and ${text}`);
    seen.add(key);
    let group = groups.get(text);
    if (!group) groups.set(text, (group = { prefix: p, text, rows: [] }));
    group.rows.push(row);
  });
  return [...groups.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix));
}

function viaOf(state: RouterState | undefined, family: IpFamily): string | null {
  for (const text of state?.ipAssignments ?? []) {
    const ip = parseIp(text);
    if (ip && ip.family === family) return formatIp(ip.family, ip.value);
  }
  return null;
}

interface Candidate {
  choice: RouterChoice;
  since: number; // healthySince, +Infinity when unknown
}

function candidate(row: Advertisement, state: RouterState | undefined, family: IpFamily): Candidate {
  const via = viaOf(state, family);
  let reason: string | null = null;
  if (!row.advertised) reason = 'not advertised';
  else if (!row.approved) reason = 'not approved';
  else if (!state) reason = 'not a member of the network';
  else if (!state.authorized) reason = 'not authorized';
  else if (via === null) reason = `no IPv${family} address in the network`;
  else if (state.health === 'down') reason = 'down';
  return {
    choice: {
      member: row.member,
      approved: row.approved,
      advertised: row.advertised,
      metric: row.metric,
      health: state?.health ?? null,
      slot: row.slot,
      via,
      eligible: reason === null,
      reason,
      primary: false,
    },
    since: state?.healthySince ?? Number.POSITIVE_INFINITY,
  };
}

/** Lowest metric, then longest healthy, then address. */
function better(a: Candidate, b: Candidate): number {
  return (
    a.choice.metric - b.choice.metric ||
    (a.since === b.since ? 0 : a.since < b.since ? -1 : 1) ||
    (a.choice.member < b.choice.member ? -1 : a.choice.member > b.choice.member ? 1 : 0)
  );
}

function best(list: readonly Candidate[]): Candidate | undefined {
  return [...list].sort(better)[0];
}

/** A new primary: healthy ones first; suspect only when none is healthy; draining as a last resort. */
function pickNew(eligible: readonly Candidate[]): Candidate | undefined {
  for (const health of ['healthy', 'suspect', 'draining'] as const) {
    const found = best(eligible.filter((c) => c.choice.health === health));
    if (found) return found;
  }
  return undefined;
}

interface Decision {
  primary: Candidate | undefined;
  change: PrimaryChange;
  message: string;
}

function decidePrimary(
  all: readonly Candidate[],
  previous: string | undefined,
  failbackAfter: number,
  now: number,
): Decision {
  const eligible = all.filter((c) => c.choice.eligible);
  const prev = eligible.find((c) => c.choice.member === previous);
  if (prev && prev.choice.health === 'draining') {
    const next = best(eligible.filter((c) => c !== prev && c.choice.health === 'healthy'));
    if (next) {
      return {
        primary: next,
        change: 'drain',
        message: `${previous} is draining; ${next.choice.member} takes over`,
      };
    }
    return {
      primary: prev,
      change: 'kept',
      message: `kept ${previous} although draining: no other router is healthy`,
    };
  }
  if (prev) {
    // Failback only to a strictly better metric that has proven itself for failbackAfter: a router
    // that just recovered must not pull traffic back and forth.
    const back = best(
      eligible.filter(
        (c) =>
          c !== prev &&
          c.choice.health === 'healthy' &&
          c.choice.metric < prev.choice.metric &&
          now - c.since >= failbackAfter,
      ),
    );
    if (back) {
      return {
        primary: back,
        change: 'failback',
        message:
          `${back.choice.member} (metric ${back.choice.metric}) has been healthy for ${now - back.since} ms ` +
          `(failbackAfter ${failbackAfter} ms) and replaces ${previous} (metric ${prev.choice.metric})`,
      };
    }
    return { primary: prev, change: 'kept', message: `kept ${previous} (${prev.choice.health})` };
  }
  const next = pickNew(eligible);
  const gone = previous === undefined ? undefined : all.find((c) => c.choice.member === previous);
  const why =
    previous === undefined ? '' : `${previous} is ${gone ? gone.choice.reason : 'no longer an advertiser'}`;
  if (!next) {
    return previous === undefined
      ? {
          primary: undefined,
          change: 'none',
          message: 'no eligible router: no route is pushed for this prefix',
        }
      : {
          primary: undefined,
          change: 'lost',
          message: `${why}; no eligible router left: the route is withdrawn`,
        };
  }
  const how = `${next.choice.member} (metric ${next.choice.metric}, ${next.choice.health})`;
  return previous === undefined
    ? { primary: next, change: 'initial', message: `${how} is the first primary` }
    : { primary: next, change: 'failover', message: `${why}; ${how} takes over` };
}

/** Spread pool: the live (healthy or suspect) eligible routers of the lowest metric; draining only when none is live. */
function spreadPool(all: readonly Candidate[]): Candidate[] {
  const eligible = all.filter((c) => c.choice.eligible);
  const live = eligible.filter((c) => c.choice.health !== 'draining');
  const from = live.length > 0 ? live : eligible;
  const min = Math.min(...from.map((c) => c.choice.metric));
  return from.filter((c) => c.choice.metric === min);
}

function sharedForms(text: string, eligible: readonly Candidate[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < eligible.length; i++) {
    for (let j = i + 1; j < eligible.length; j++) {
      const a = eligible[i]!.choice;
      const b = eligible[j]!.choice;
      if (!formsDisjoint(text, a.slot, b.slot)) {
        out.push(
          `${a.member} (slot ${a.slot}) and ${b.member} (slot ${b.slot}) are sent the same targets for ${text}; ` +
            'a move between them withdraws those targets before re-adding them (one more step)',
        );
      }
    }
  }
  return out;
}

function routesVia(
  c: RouterChoice,
  prefix: string,
  forMembers: 'all' | string[],
  exceptMembers?: string[],
): AdvertisedRoute[] {
  return targetsFor(prefix, c.slot).targets.map((target) => {
    const route: AdvertisedRoute = { prefix: target, via: c.via!, owner: c.member, forMembers };
    if (exceptMembers && exceptMembers.length > 0) route.exceptMembers = exceptMembers;
    return route;
  });
}

/** Routers whose form may stand by under another's: they could carry the prefix but for health. */
function standbyCandidates(all: readonly Candidate[]): RouterChoice[] {
  return all.map((c) => c.choice).filter((c) => c.via !== null && (c.eligible || c.reason === 'down'));
}

/**
 * The standby routers under `chosen`: other candidates whose form is strictly shallower, one per
 * depth (routers sharing a slot share targets; the first by address stands by).
 */
function standbysUnder(
  prefix: string,
  chosen: RouterChoice,
  candidates: readonly RouterChoice[],
): RouterChoice[] {
  const depth = targetsFor(prefix, chosen.slot).depth;
  const byDepth = new Map<number, RouterChoice>();
  for (const c of candidates) {
    if (c.member === chosen.member || c.via === chosen.via) continue;
    const d = targetsFor(prefix, c.slot).depth;
    if (d < depth && !byDepth.has(d)) byDepth.set(d, c);
  }
  return [...byDepth.values()];
}

function compareRoutes(a: AdvertisedRoute, b: AdvertisedRoute): number {
  const x = parsePrefix(a.prefix) as Prefix;
  const y = parsePrefix(b.prefix) as Prefix;
  return comparePrefixes(x, y) || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0);
}

/**
 * Selects routers per prefix. `forMembers` lists are shared between the routes of one router and
 * must not be mutated.
 */
export function selectRouters(input: SelectionInput): RouterSelection {
  const { policy, now } = input;
  const standby = input.standby ?? true;
  const groups = groupRows(input.advertisements);
  const members = [...new Set(input.members)].sort();
  const prefixes: PrefixSelection[] = [];
  const advertised: AdvertisedRoute[] = [];
  const primaries = new Map<string, string>();
  // Prefixes with the same routers and the same pool get the same lists: compute each once.
  const receiverCache = new Map<string, string[]>();
  const assignmentCache = new Map<string, Map<string, string[]>>();

  for (const group of groups) {
    const all = group.rows
      .map((row) => candidate(row, input.routers.get(row.member), group.prefix.family))
      .sort((a, b) => (a.choice.member < b.choice.member ? -1 : 1));
    const routers = new Set(group.rows.filter((r) => r.advertised).map((r) => r.member));
    const routersKey = [...routers].sort().join(',');
    const receivers = () => {
      let list = receiverCache.get(routersKey);
      if (!list) receiverCache.set(routersKey, (list = members.filter((m) => !routers.has(m))));
      return list;
    };
    const eligible = all.filter((c) => c.choice.eligible);
    const selection: PrefixSelection = {
      prefix: group.text,
      steering: policy.steering,
      routers: all.map((c) => c.choice),
      primary: null,
      change: 'none',
      message: '',
      problems: sharedForms(group.text, eligible),
    };

    if (policy.steering === 'primary') {
      const previous = input.previous.get(group.text);
      const decision = decidePrimary(all, previous, policy.failbackAfter, now);
      selection.change = decision.change;
      selection.message = decision.message;
      const chosen = decision.primary?.choice;
      if (chosen) {
        chosen.primary = true;
        selection.primary = chosen.member;
        primaries.set(group.text, chosen.member);
        // Everyone but the prefix's other routers (their own LAN): one shared list, so members
        // joining or leaving need no re-selection. The primary itself never gets a route via its
        // own IP (the planner leaves that out).
        const others = [...routers].filter((m) => m !== chosen.member).sort();
        advertised.push(...routesVia(chosen, group.text, 'all', others));
        if (standby) {
          // Not to the primary either: it would get a route to its own LAN via another router.
          const everyRouter = [...routers].sort();
          for (const s of standbysUnder(group.text, chosen, standbyCandidates(all))) {
            s.standby = true;
            advertised.push(...routesVia(s, group.text, 'all', everyRouter));
          }
        }
      }
    } else {
      const pool = eligible.length > 0 ? spreadPool(all) : [];
      if (pool.length === 0) {
        selection.message = 'no eligible router: no route is pushed for this prefix';
      } else {
        // Not salted by prefix: a member then uses the same router for every prefix whose pool holds
        // it, so members share a handful of route lists instead of one per combination (3 routers
        // and 10 prefixes salted: ~48,000 distinct lists for 100,000 members and 3x the planning
        // time, unsalted: 4), and a member's traffic to one site leaves through one router.
        const poolMembers = pool.map((c) => c.choice.member);
        const key = `${routersKey}|${poolMembers.join(',')}`;
        let assignment = assignmentCache.get(key);
        if (!assignment)
          assignmentCache.set(key, (assignment = assignByRendezvous(receivers(), poolMembers)));
        const candidates = standby ? standbyCandidates(all) : [];
        for (const c of pool) {
          const list = assignment.get(c.choice.member)!;
          c.choice.members = list.length;
          if (list.length === 0) continue;
          advertised.push(...routesVia(c.choice, group.text, list));
          for (const s of standbysUnder(group.text, c.choice, candidates))
            advertised.push(...routesVia(s, group.text, list));
        }
        const names = pool.map((c) => c.choice.member).join(', ');
        selection.message = `spread over ${names} (metric ${pool[0]!.choice.metric})`;
      }
    }
    prefixes.push(selection);
  }
  return { prefixes, advertised: advertised.sort(compareRoutes), primaries };
}
