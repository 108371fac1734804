// The network's routing policy (steering, failback delay, auto-approvers): strict parsing with errors
// that name the field, and the auto-approver match. An auto-approver is a prefix range and a list of
// who may advertise inside it without a human approving (Headscale's autoApprovers).

import { invalidField } from '../errors.ts';
import {
  formatPrefix,
  isPrefixError,
  parsePrefix,
  prefixContainsPrefix,
  type Prefix,
} from '../cidr/prefix.ts';
import { has, readArray, readInteger, readObject, readString, show } from '../network/json-input.ts';
import {
  DEFAULT_ROUTING_POLICY,
  type ApproverMember,
  type AutoApprover,
  type RoutingPolicy,
  type Steering,
} from './router-types.ts';

/** One day: a longer failback delay is almost certainly a unit mistake (seconds for ms is the other way). */
export const MAX_FAILBACK_AFTER = 86_400_000;
export const MAX_AUTO_APPROVERS = 256;
export const MAX_APPROVERS_PER_RULE = 256;
const UINT32_MAX = 0xffffffff;

const STEERINGS: readonly Steering[] = ['primary', 'spread'];

export type Approver =
  | { kind: 'member'; address: string }
  | { kind: 'name'; name: string }
  | { kind: 'tag'; id: number; value: number };

/** Parses one approver; the canonical text is `formatApprover` of the result. */
export function parseApprover(value: unknown, field: string): Approver {
  const text = readString(value, field);
  const colon = text.indexOf(':');
  const kind = colon === -1 ? '' : text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (kind === 'member') {
    if (!/^[0-9a-fA-F]{10}$/.test(rest)) {
      throw invalidField(field, `${show(text)}: expected member:<10 hex digit address>`);
    }
    return { kind: 'member', address: rest.toLowerCase() };
  }
  if (kind === 'name') {
    if (rest === '')
      throw invalidField(field, `${show(text)}: expected name:<member name>, the name is empty`);
    return { kind: 'name', name: rest };
  }
  if (kind === 'tag') {
    const m = /^(0|[1-9][0-9]{0,9})=(0|[1-9][0-9]{0,9})$/.exec(rest);
    const id = m ? Number(m[1]) : NaN;
    const tagValue = m ? Number(m[2]) : NaN;
    if (!(id <= UINT32_MAX && tagValue <= UINT32_MAX)) {
      throw invalidField(
        field,
        `${show(text)}: expected tag:<id>=<value> with decimal numbers up to ${UINT32_MAX}`,
      );
    }
    return { kind: 'tag', id, value: tagValue };
  }
  throw invalidField(
    field,
    `${show(text)}: expected member:<address>, name:<member name> or tag:<id>=<value>`,
  );
}

export function formatApprover(a: Approver): string {
  if (a.kind === 'member') return `member:${a.address}`;
  if (a.kind === 'name') return `name:${a.name}`;
  return `tag:${a.id}=${a.value}`;
}

function approverMatches(a: Approver, member: ApproverMember): boolean {
  if (a.kind === 'member') return member.address.toLowerCase() === a.address;
  if (a.kind === 'name') return member.name === a.name; // exact: names are free text an operator typed
  return member.tags.some(([id, value]) => id === a.id && value === a.value);
}

function readPrefix(value: unknown, field: string): Prefix {
  if (typeof value !== 'string') throw invalidField(field, `expected a CIDR string, got ${show(value)}`);
  const p = parsePrefix(value);
  if (isPrefixError(p)) throw invalidField(field, p.error);
  return p;
}

function parseAutoApprover(value: unknown, path: string): AutoApprover {
  const rule = readObject(value, path);
  if (!has(rule, 'prefix'))
    throw invalidField(`${path}.prefix`, 'missing; expected a CIDR range like 192.168.0.0/16');
  const prefix = formatPrefix(readPrefix(rule.prefix, `${path}.prefix`));
  if (!has(rule, 'approvers'))
    throw invalidField(`${path}.approvers`, 'missing; expected a list of approvers');
  const list = readArray(rule.approvers, `${path}.approvers`);
  if (list.length === 0)
    throw invalidField(`${path}.approvers`, 'is empty; a rule must name at least one approver');
  if (list.length > MAX_APPROVERS_PER_RULE) {
    throw invalidField(
      `${path}.approvers`,
      `${list.length} approvers; at most ${MAX_APPROVERS_PER_RULE} per rule`,
    );
  }
  const seen = new Map<string, number>();
  const approvers = list.map((item, i) => {
    const text = formatApprover(parseApprover(item, `${path}.approvers[${i}]`));
    const first = seen.get(text);
    if (first !== undefined) {
      throw invalidField(
        `${path}.approvers[${i}]`,
        `duplicate approver ${text} (same as approvers[${first}])`,
      );
    }
    seen.set(text, i);
    return text;
  });
  return { prefix, approvers };
}

/**
 * The policy a body describes. Absent fields keep `base` (so a PATCH can send one field); unknown
 * fields are ignored, as elsewhere in the API; present fields of the wrong type are errors.
 */
export function parseRoutingPolicy(
  body: unknown,
  base: Readonly<RoutingPolicy> = DEFAULT_ROUTING_POLICY,
): RoutingPolicy {
  const input = readObject(body, 'routing');
  const policy: RoutingPolicy = {
    steering: base.steering,
    failbackAfter: base.failbackAfter,
    autoApprovers: base.autoApprovers.map((r) => ({ prefix: r.prefix, approvers: [...r.approvers] })),
  };
  if (has(input, 'steering')) {
    const s = input.steering;
    if (typeof s !== 'string' || !STEERINGS.includes(s as Steering)) {
      throw invalidField('steering', `expected "primary" or "spread", got ${show(s)}`);
    }
    policy.steering = s as Steering;
  }
  if (has(input, 'failbackAfter')) {
    policy.failbackAfter = readInteger(input.failbackAfter, 'failbackAfter', 0, MAX_FAILBACK_AFTER);
  }
  if (has(input, 'autoApprovers')) {
    const rules = readArray(input.autoApprovers, 'autoApprovers');
    if (rules.length > MAX_AUTO_APPROVERS) {
      throw invalidField('autoApprovers', `${rules.length} rules; at most ${MAX_AUTO_APPROVERS}`);
    }
    policy.autoApprovers = rules.map((r, i) => parseAutoApprover(r, `autoApprovers[${i}]`));
  }
  return policy;
}

export interface AutoApproval {
  /** Index of the rule in `policy.autoApprovers`. */
  index: number;
  /** The rule's range. */
  range: string;
  /** The approver entry that matched, canonical. */
  approver: string;
  /** What goes into `Advertisement.approvedBy`: the range, which survives reordering the rules. */
  approvedBy: string;
}

/** The first rule (in policy order) whose range holds `prefix` and that names `member`; else null. */
export function matchAutoApprover(
  policy: Pick<RoutingPolicy, 'autoApprovers'>,
  prefix: string,
  member: ApproverMember,
): AutoApproval | null {
  const p = readPrefix(prefix, 'prefix');
  for (let index = 0; index < policy.autoApprovers.length; index++) {
    const rule = policy.autoApprovers[index]!;
    const range = parsePrefix(rule.prefix);
    if (isPrefixError(range) || !prefixContainsPrefix(range, p)) continue;
    for (const text of rule.approvers) {
      let approver: Approver;
      try {
        approver = parseApprover(text, 'approver');
      } catch {
        continue; // a stored policy was parsed on write; an unreadable entry can only fail to match
      }
      if (approverMatches(approver, member)) {
        const canonicalRange = formatPrefix(range);
        return {
          index,
          range: canonicalRange,
          approver: formatApprover(approver),
          approvedBy: `auto-approver:${canonicalRange}`,
        };
      }
    }
  }
  return null;
}
