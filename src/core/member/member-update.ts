// `POST /controller/network/<nwid>/member/<addr>`: a partial update merged into the member, with the
// stock authorization bookkeeping. Known fields with bad values are rejected; the whole body is
// validated before anything is applied, and the input record is never mutated.

import { invalidField } from '../errors.ts';
import { formatIp, parseIp } from '../cidr/ip.ts';
import {
  has,
  readArray,
  readBoolean,
  readInteger,
  readObject,
  readString,
  readTraceTarget,
  show,
} from '../network/json-input.ts';
import { UINT32_MAX, ZT_MAX_ZT_ASSIGNED_ADDRESSES } from '../network/limits.ts';
import type { MemberRecord } from './member-types.ts';

type Patch = Partial<MemberRecord>;
type FieldParser = (value: unknown) => Patch;

function parseIpAssignments(value: unknown): string[] {
  const items = readArray(value, 'ipAssignments');
  const out: string[] = [];
  items.forEach((item, i) => {
    const ip = typeof item === 'string' ? parseIp(item) : undefined;
    if (ip === undefined) {
      const hint = typeof item === 'string' && item.includes('/') ? ' (give the address without /bits)' : '';
      throw invalidField(`ipAssignments[${i}]`, `expected an IP address, got ${show(item)}${hint}`);
    }
    const text = formatIp(ip.family, ip.value);
    if (!out.includes(text)) out.push(text);
  });
  if (out.length > ZT_MAX_ZT_ASSIGNED_ADDRESSES) {
    throw invalidField(
      'ipAssignments',
      `${out.length} addresses given; ZeroTier assigns at most ${ZT_MAX_ZT_ASSIGNED_ADDRESSES} per member`,
    );
  }
  return out;
}

function parseTags(value: unknown): [number, number][] {
  const byId = new Map<number, { value: number; index: number }>();
  readArray(value, 'tags').forEach((item, i) => {
    const path = `tags[${i}]`;
    if (!Array.isArray(item) || item.length !== 2) {
      throw invalidField(path, `expected an [id, value] pair, got ${show(item)}`);
    }
    const id = readInteger(item[0], `${path}[0]`, 0, UINT32_MAX);
    const tagValue = readInteger(item[1], `${path}[1]`, 0, UINT32_MAX);
    const first = byId.get(id);
    if (first !== undefined && first.value !== tagValue) {
      throw invalidField(
        path,
        `tag ${id} is set twice with different values (${first.value} in tags[${first.index}])`,
      );
    }
    byId.set(id, first ?? { value: tagValue, index: i });
  });
  // Stock keeps member tags ordered by id.
  return [...byId.entries()].sort((a, b) => a[0] - b[0]).map(([id, tag]) => [id, tag.value]);
}

function parseCapabilities(value: unknown): number[] {
  const ids = readArray(value, 'capabilities').map((item, i) =>
    readInteger(item, `capabilities[${i}]`, 0, UINT32_MAX),
  );
  // Stock stores them sorted and unique.
  return [...new Set(ids)].sort((a, b) => a - b);
}

const PARSERS: Record<string, FieldParser> = {
  activeBridge: (v) => ({ activeBridge: readBoolean(v, 'activeBridge') }),
  noAutoAssignIps: (v) => ({ noAutoAssignIps: readBoolean(v, 'noAutoAssignIps') }),
  ssoExempt: (v) => ({ ssoExempt: readBoolean(v, 'ssoExempt') }),
  name: (v) => ({ name: readString(v, 'name') }),
  ipAssignments: (v) => ({ ipAssignments: parseIpAssignments(v) }),
  tags: (v) => ({ tags: parseTags(v) }),
  capabilities: (v) => ({ capabilities: parseCapabilities(v) }),
  remoteTraceTarget: (v) => ({ remoteTraceTarget: readTraceTarget(v, 'remoteTraceTarget') }),
  remoteTraceLevel: (v) => ({ remoteTraceLevel: readInteger(v, 'remoteTraceLevel', 0, UINT32_MAX) }),
  authenticationExpiryTime: (v) => ({
    authenticationExpiryTime: readInteger(v, 'authenticationExpiryTime', 0, Number.MAX_SAFE_INTEGER),
  }),
};

/** The fields a client may change, besides `authorized`; everything else in a body is ignored. */
export const WRITABLE_MEMBER_FIELDS: readonly string[] = ['authorized', ...Object.keys(PARSERS)];

/**
 * Validates `body` completely, then returns a new member with the given fields replaced. Changing
 * `authorized` stamps the stock bookkeeping fields with `now`; `revision` is left to the service.
 */
export function applyMemberUpdate(current: MemberRecord, body: unknown, now: number): MemberRecord {
  const input = readObject(body, 'body');
  const patch: Patch = {};
  for (const [key, parse] of Object.entries(PARSERS)) {
    if (has(input, key)) Object.assign(patch, parse(input[key]));
  }
  const authorized = has(input, 'authorized')
    ? readBoolean(input.authorized, 'authorized')
    : current.authorized;

  const next: MemberRecord = { ...structuredClone(current), ...patch };
  if (authorized && !current.authorized) {
    next.authorized = true;
    next.lastAuthorizedTime = now;
    next.lastAuthorizedCredentialType = 'api';
    next.lastAuthorizedCredential = null;
  } else if (!authorized && current.authorized) {
    next.authorized = false;
    next.lastDeauthorizedTime = now;
  }
  return next;
}
