// A member file of zerotier-one's FileDB (`controller.d/network/<nwid>/member/<addr>.json`) <->
// MemberRecord. The client-writable fields go through the API's own parser (applyMemberUpdate); the
// bookkeeping a client cannot write (authorization times, identity, client version) is read here and
// kept as the old controller recorded it, so members keep their identity pin and history.

import { invalidField } from '../errors.ts';
import { memberToJson, stockMemberJson } from '../member/member-json.ts';
import { newMember } from '../member/member-defaults.ts';
import type { MemberRecord } from '../member/member-types.ts';
import { WRITABLE_MEMBER_FIELDS, applyMemberUpdate } from '../member/member-update.ts';
import { has, readInteger, show, type JsonObject } from '../network/json-input.ts';
import { UINT32_MAX } from '../network/limits.ts';
import { canonicalMemberAddress, canonicalNetworkId } from '../network/network-id.ts';
import {
  checkObjtype,
  pick,
  readCounter,
  readRecordObject,
  unknownKeys,
  type ParsedRecord,
} from './filedb-fields.ts';

const VERSION_FIELDS = ['vMajor', 'vMinor', 'vRev', 'vProto'] as const;

const READ_ONLY_FIELDS = [
  'id',
  'address',
  'nwid',
  'objtype',
  'revision',
  'creationTime',
  'identity',
  'lastAuthorizedTime',
  'lastDeauthorizedTime',
  'lastAuthorizedCredentialType',
  'lastAuthorizedCredential',
  ...VERSION_FIELDS,
];

const KNOWN_FIELDS = new Set([...READ_ONLY_FIELDS, ...WRITABLE_MEMBER_FIELDS]);

/** `<address>:0:<128 hex public key>`: the public identity a member's config requests are pinned to. */
const PUBLIC_IDENTITY_RE = /^([0-9a-f]{10}):0:[0-9a-f]{128}$/;

function readNullableString(file: JsonObject, key: string): string | null {
  const value = file[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalidField(key, `expected a string or null, got ${show(value)}`);
  return value;
}

/**
 * The pinned identity, lower-cased (the protocol layer compares the exact text). Absent, null and ""
 * all mean "not learned yet": the next config request pins it.
 */
function readIdentity(file: JsonObject, address: string): string | undefined {
  const value = file.identity;
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  const match = text === undefined ? null : PUBLIC_IDENTITY_RE.exec(text);
  if (match === null) {
    throw invalidField(
      'identity',
      `expected a public identity <address>:0:<128 hex digits>, got ${show(value)}`,
    );
  }
  if (match[1] !== address) {
    throw invalidField('identity', `belongs to ${match[1]}, not to member ${address}`);
  }
  return text;
}

/**
 * Validates a member file completely and returns the record it describes. `networkId` is the folder
 * the file is in, `fileAddress` the address its name stands for; the ids inside must agree.
 */
export function parseMemberFile(
  value: unknown,
  networkId: string,
  fileAddress: string,
  now: number,
): ParsedRecord<MemberRecord> {
  const file = readRecordObject(value);
  checkObjtype(file, 'member');
  const address = canonicalMemberAddress(file.id);
  if (address === undefined) {
    throw invalidField('id', `expected a 10-hex-digit member address, got ${show(file.id)}`);
  }
  if (address !== fileAddress) {
    throw invalidField('id', `${address} does not match the file name (${fileAddress}.json)`);
  }
  if (has(file, 'address') && canonicalMemberAddress(file.address) !== address) {
    throw invalidField('address', `${show(file.address)} differs from id ${address}`);
  }
  if (has(file, 'nwid') && canonicalNetworkId(file.nwid) !== networkId) {
    throw invalidField(
      'nwid',
      `${show(file.nwid)} is not the network whose folder holds the file (${networkId})`,
    );
  }
  const identity = readIdentity(file, address);
  const base = newMember(networkId, address, readCounter(file, 'creationTime', now));
  const member = applyMemberUpdate(base, pick(file, WRITABLE_MEMBER_FIELDS), now);
  // applyMemberUpdate stamped `now` for the authorization; the file's own history wins.
  member.lastAuthorizedTime = readCounter(file, 'lastAuthorizedTime', 0);
  member.lastDeauthorizedTime = readCounter(file, 'lastDeauthorizedTime', 0);
  member.lastAuthorizedCredentialType = readNullableString(file, 'lastAuthorizedCredentialType');
  member.lastAuthorizedCredential = readNullableString(file, 'lastAuthorizedCredential');
  for (const key of VERSION_FIELDS) {
    if (has(file, key)) member[key] = readInteger(file[key], key, -1, UINT32_MAX);
  }
  member.revision = readCounter(file, 'revision', 0);
  if (identity !== undefined) member.identity = identity;
  return { record: member, ignoredKeys: unknownKeys(file, KNOWN_FIELDS) };
}

/** The file zerotier-one keeps for this member: the stock member JSON, without Routeplane's extras. */
export function memberToFileJson(member: MemberRecord): Record<string, unknown> {
  return stockMemberJson(memberToJson(member, undefined, 0));
}
