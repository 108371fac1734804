// Approving and rejecting an advertised prefix by hand (POST …/routes/approve|reject). An approval
// belongs to an advertisement: a prefix its router does not advertise cannot be approved ahead of
// time (that is what auto-approvers are for), and a withdrawal revokes it (advertise.ts).

import { ErrorCodes, invalidField, notFound, RpError } from '../errors.ts';
import { formatPrefix, isPrefixError, parsePrefix } from '../cidr/prefix.ts';
import { has, readObject, show } from '../network/json-input.ts';
import type { Advertisement, ApprovalEvent } from './router-types.ts';

// The policy half of approval lives in routing-policy.ts; exported here too for one import.
export { matchAutoApprover, parseRoutingPolicy } from './routing-policy.ts';

export interface ApprovalRequest {
  /** 10 hex digits, lower case. */
  member: string;
  /** Canonical CIDR. */
  prefix: string;
}

export interface ApprovalResult {
  /** The row afterwards (the same object when nothing changed). */
  row: Advertisement;
  changed: boolean;
  /** Null when nothing changed: approving twice is not a second approval. */
  event: ApprovalEvent | null;
}

export function parseApprovalRequest(body: unknown): ApprovalRequest {
  const input = readObject(body, 'body');
  const member = input.member;
  if (!has(input, 'member') || typeof member !== 'string' || !/^[0-9a-fA-F]{10}$/.test(member)) {
    throw invalidField('member', `expected a 10-hex-digit member address, got ${show(member)}`);
  }
  if (!has(input, 'prefix') || typeof input.prefix !== 'string') {
    throw invalidField('prefix', `expected a CIDR string, got ${show(input.prefix)}`);
  }
  const p = parsePrefix(input.prefix);
  if (isPrefixError(p)) throw invalidField('prefix', p.error);
  return { member: member.toLowerCase(), prefix: formatPrefix(p) };
}

function checkActor(actor: string): void {
  if (typeof actor !== 'string' || actor.trim() === '') {
    throw new RpError(ErrorCodes.INTERNAL, 'an approval needs a non-empty actor for the event log');
  }
}

function find(rows: readonly Advertisement[], request: ApprovalRequest): Advertisement | undefined {
  return rows.find((r) => r.member === request.member && r.prefix === request.prefix);
}

/** Approves `request` (parsed) among the network's rows. CONFLICT when it is not advertised. */
export function approveAdvertisement(
  rows: readonly Advertisement[],
  request: ApprovalRequest,
  actor: string,
  now: number,
): ApprovalResult {
  checkActor(actor);
  const row = find(rows, request);
  if (!row || !row.advertised) {
    throw new RpError(
      ErrorCodes.CONFLICT,
      `member ${request.member} does not advertise ${request.prefix}` +
        (row ? ' any more' : '') +
        '; a prefix can be approved only while its router advertises it (use an auto-approver to approve ahead of time)',
    );
  }
  if (row.approved) return { row, changed: false, event: null };
  const next: Advertisement = { ...row, approved: true, approvedBy: actor, approvedAt: now, updatedAt: now };
  return {
    row: next,
    changed: true,
    event: {
      type: 'approved',
      member: row.member,
      prefix: row.prefix,
      actor,
      reason: `${actor} approved ${row.prefix} via ${row.member}`,
    },
  };
}

/**
 * Rejects `request`: approved becomes false. Allowed whether or not it is still advertised (a
 * rejected advertisement stays rejected while advertised); NOT_FOUND only when there is no row.
 */
export function rejectAdvertisement(
  rows: readonly Advertisement[],
  request: ApprovalRequest,
  actor: string,
  now: number,
): ApprovalResult {
  checkActor(actor);
  const row = find(rows, request);
  if (!row) throw notFound(`advertisement of ${request.prefix} by member ${request.member}`);
  if (!row.approved) return { row, changed: false, event: null };
  const next: Advertisement = { ...row, approved: false, approvedBy: null, approvedAt: null, updatedAt: now };
  return {
    row: next,
    changed: true,
    event: {
      type: 'rejected',
      member: row.member,
      prefix: row.prefix,
      actor,
      reason: `${actor} rejected ${row.prefix} via ${row.member} (was approved by ${row.approvedBy ?? 'unknown'})`,
    },
  };
}
