// A member replaces what it advertises (PUT …/members/<addr>/advertised). New prefixes become
// advertised, approved at once only when an auto-approver names the member; prefixes it no longer
// lists become not advertised AND not approved, so advertising them again needs a new approval
// (Headscale's route proposal: an approval is for an advertisement, not for a prefix forever).
//
// The default routes 0.0.0.0/0 and ::/0 are accepted: a router advertising them is an exit node.
// Members install them only with allowDefault=1, and target-forms never splits them (see there).

import { ErrorCodes, invalidField, RpError } from '../errors.ts';
import { formatPrefix, isPrefixError, parsePrefix } from '../cidr/prefix.ts';
import { comparePrefixes } from '../cidr/prefix-order.ts';
import { has, readArray, readInteger, readObject, show } from '../network/json-input.ts';
import { matchAutoApprover } from './routing-policy.ts';
import {
  DEFAULT_METRIC,
  MAX_ADVERTISED_PREFIXES,
  MAX_METRIC,
  SLOT_COUNT,
  type AdvertiseEvent,
  type Advertisement,
  type ApproverMember,
  type RoutingPolicy,
} from './router-types.ts';

export interface AdvertiseInput {
  /** Canonical, distinct. */
  prefixes: string[];
  metric: number;
}

export interface AdvertiseContext {
  /** The advertising member (auto-approvers match its address, name and tags). */
  member: ApproverMember;
  policy: Pick<RoutingPolicy, 'autoApprovers'>;
  /** The network's rows for the prefixes concerned (all rows of the network will do); used for slots. */
  network: readonly Advertisement[];
}

export interface AdvertiseResult {
  /** All of the member's rows afterwards (withdrawn ones included), in canonical prefix order. */
  rows: Advertisement[];
  events: AdvertiseEvent[];
}

export function parseAdvertiseInput(input: unknown): AdvertiseInput {
  const body = readObject(input, 'body');
  if (!has(body, 'prefixes'))
    throw invalidField('prefixes', 'missing; expected a list of CIDRs (may be empty)');
  const list = readArray(body.prefixes, 'prefixes');
  if (list.length > MAX_ADVERTISED_PREFIXES) {
    throw invalidField(
      'prefixes',
      `${list.length} prefixes; a member may advertise at most ${MAX_ADVERTISED_PREFIXES} (ZeroTier's route limit)`,
    );
  }
  const seen = new Map<string, number>();
  const prefixes = list.map((item, i) => {
    const field = `prefixes[${i}]`;
    if (typeof item !== 'string') throw invalidField(field, `expected a CIDR string, got ${show(item)}`);
    const p = parsePrefix(item);
    if (isPrefixError(p)) throw invalidField(field, p.error);
    const text = formatPrefix(p);
    const first = seen.get(text);
    if (first !== undefined) throw invalidField(field, `duplicate of prefixes[${first}] (both are ${text})`);
    seen.set(text, i);
    return text;
  });
  const metric = has(body, 'metric') ? readInteger(body.metric, 'metric', 0, MAX_METRIC) : DEFAULT_METRIC;
  return { prefixes, metric };
}

export interface SlotPick {
  slot: number;
  /** Other routers already on that slot (non-empty only when all slots were taken). */
  sharedWith: string[];
}

/**
 * The slot for `member`'s row of `prefix`: `keep` when no other advertising router holds it, else
 * the lowest free slot. With every slot taken (five or more routers) the least-used slot is shared,
 * lowest on ties: routers sharing a slot have the same target set, so moving members between them
 * changes only the via, which the client ignores — such a move withdraws the shared targets first.
 * Withdrawn rows hold no slot.
 */
export function pickSlot(
  prefix: string,
  member: string,
  network: readonly Advertisement[],
  keep?: number,
): SlotPick {
  const holders: string[][] = Array.from({ length: SLOT_COUNT }, () => []);
  for (const row of network) {
    if (row.prefix !== prefix || row.member === member || !row.advertised) continue;
    if (row.slot >= 0 && row.slot < SLOT_COUNT) holders[row.slot]!.push(row.member);
  }
  if (keep !== undefined && keep >= 0 && keep < SLOT_COUNT && holders[keep]!.length === 0) {
    return { slot: keep, sharedWith: [] };
  }
  let best = 0;
  for (let s = 0; s < SLOT_COUNT; s++) {
    if (holders[s]!.length === 0) return { slot: s, sharedWith: [] };
    if (holders[s]!.length < holders[best]!.length) best = s;
  }
  return { slot: best, sharedWith: [...holders[best]!].sort() };
}

function byPrefix(a: Advertisement, b: Advertisement): number {
  const x = parsePrefix(a.prefix);
  const y = parsePrefix(b.prefix);
  if (isPrefixError(x) || isPrefixError(y)) return a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0;
  return comparePrefixes(x, y);
}

/**
 * The member's rows after it advertises `input` (`{prefixes, metric?}`, validated here). Prefixes it
 * still advertises keep approval, slot and timestamps (a router re-sending its list changes
 * nothing); only their metric follows the input. Auto-approvers are consulted when a prefix becomes
 * advertised, not on every re-send, so a hand rejection of an advertised prefix sticks.
 */
export function planAdvertise(
  existing: readonly Advertisement[],
  input: unknown,
  now: number,
  context: AdvertiseContext,
): AdvertiseResult {
  const { prefixes, metric } = parseAdvertiseInput(input);
  const address = context.member.address;
  const byKey = new Map<string, Advertisement>();
  for (const row of existing) {
    if (row.member !== address || byKey.has(row.prefix)) {
      throw new RpError(
        ErrorCodes.INTERNAL,
        `planAdvertise got a row of ${row.member} for ${row.prefix} among the rows of ${address}`,
      );
    }
    byKey.set(row.prefix, row);
  }
  const events: AdvertiseEvent[] = [];
  const event = (type: AdvertiseEvent['type'], prefix: string, reason: string) =>
    events.push({ type, member: address, prefix, reason });
  const wanted = new Set(prefixes);
  const out: Advertisement[] = [];

  for (const prefix of prefixes) {
    const row = byKey.get(prefix);
    if (row && row.advertised) {
      if (row.metric === metric) {
        out.push(row);
      } else {
        out.push({ ...row, metric, updatedAt: now });
        event(
          'metric-changed',
          prefix,
          `${address} now advertises ${prefix} with metric ${metric} (was ${row.metric})`,
        );
      }
      continue;
    }
    const { slot, sharedWith } = pickSlot(prefix, address, context.network, row?.slot);
    const auto = matchAutoApprover(context.policy, prefix, context.member);
    out.push({
      member: address,
      prefix,
      metric,
      advertised: true,
      approved: auto !== null,
      approvedBy: auto?.approvedBy ?? null,
      slot,
      advertisedAt: now,
      approvedAt: auto ? now : null,
      updatedAt: now,
    });
    const notes = [`metric ${metric}`, `slot ${slot}`];
    if (sharedWith.length > 0) {
      notes.push(
        `all ${SLOT_COUNT} slots are taken, shared with ${sharedWith.join(', ')}: a move between them withdraws the shared targets first`,
      );
    }
    if (prefix === '0.0.0.0/0' || prefix === '::/0') {
      notes.push('a default route: members install it only with allowDefault=1');
    }
    event(
      'advertised',
      prefix,
      `${address} ${row ? 'advertises again' : 'advertises'} ${prefix} (${notes.join('; ')})` +
        (auto ? '' : '; waiting for approval'),
    );
    if (auto) {
      event(
        'auto-approved',
        prefix,
        `approved by autoApprovers[${auto.index}] (${auto.range}, ${auto.approver})`,
      );
    }
  }

  for (const row of existing) {
    if (wanted.has(row.prefix)) continue;
    if (!row.advertised) {
      out.push(row);
      continue;
    }
    out.push({
      ...row,
      advertised: false,
      approved: false,
      approvedBy: null,
      advertisedAt: null,
      approvedAt: null,
      updatedAt: now,
    });
    event(
      'withdrawn',
      row.prefix,
      `${address} no longer advertises ${row.prefix}` +
        (row.approved
          ? `; approval (${row.approvedBy ?? 'unknown'}) revoked, advertising it again needs a new one`
          : ''),
    );
  }
  return { rows: out.sort(byPrefix), events };
}
