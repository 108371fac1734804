import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, RpError } from '../errors.ts';
import { approveAdvertisement, parseApprovalRequest, rejectAdvertisement } from './approval.ts';
import { P, row } from './router-fixtures.test.ts';

const A = 'a1b2c3d4e5';
const NOW = 9_000;
const pending = row(A, P, { approved: false, approvedBy: null, approvedAt: null });
const request = { member: A, prefix: P };

function fails(fn: () => unknown, code: string, message: RegExp, field?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RpError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    if (field) assert.equal(error.field, field);
    return true;
  });
}

describe('parseApprovalRequest', () => {
  test('member lower-cased, prefix canonical', () => {
    assert.deepEqual(parseApprovalRequest({ member: 'A1B2C3D4E5', prefix: 'FD00::/8' }), {
      member: A,
      prefix: 'fd00::/8',
    });
  });

  test('bad fields are named', () => {
    fails(() => parseApprovalRequest({ prefix: P }), ErrorCodes.INVALID_INPUT, /10-hex-digit/, 'member');
    fails(
      () => parseApprovalRequest({ member: 'xyz', prefix: P }),
      ErrorCodes.INVALID_INPUT,
      /"xyz"/,
      'member',
    );
    fails(() => parseApprovalRequest({ member: A }), ErrorCodes.INVALID_INPUT, /CIDR/, 'prefix');
    fails(
      () => parseApprovalRequest({ member: A, prefix: '192.168.50.1/24' }),
      ErrorCodes.INVALID_INPUT,
      /host bits/,
      'prefix',
    );
    fails(() => parseApprovalRequest('x'), ErrorCodes.INVALID_INPUT, /object/, 'body');
  });
});

describe('approveAdvertisement', () => {
  test('approves with the actor and time, and says who', () => {
    const result = approveAdvertisement([row('eeeeeeeeee'), pending], request, 'api:alice', NOW);
    assert.deepEqual(result.row, {
      ...pending,
      approved: true,
      approvedBy: 'api:alice',
      approvedAt: NOW,
      updatedAt: NOW,
    });
    assert.equal(result.changed, true);
    assert.deepEqual(result.event, {
      type: 'approved',
      member: A,
      prefix: P,
      actor: 'api:alice',
      reason: `api:alice approved ${P} via ${A}`,
    });
  });

  test('approving twice is no change and keeps the first approver', () => {
    const approved = row(A, P, { approvedBy: 'auto-approver:192.168.0.0/16' });
    const result = approveAdvertisement([approved], request, 'api:bob', NOW);
    assert.equal(result.row, approved);
    assert.equal(result.changed, false);
    assert.equal(result.event, null);
  });

  test('a prefix that is not advertised is a CONFLICT with a clear message', () => {
    fails(
      () => approveAdvertisement([], request, 'api:alice', NOW),
      ErrorCodes.CONFLICT,
      /member a1b2c3d4e5 does not advertise 192\.168\.50\.0\/24; a prefix can be approved only while its router advertises it/,
    );
    fails(
      () => approveAdvertisement([{ ...pending, advertised: false }], request, 'api:alice', NOW),
      ErrorCodes.CONFLICT,
      /does not advertise 192\.168\.50\.0\/24 any more/,
    );
    fails(
      () => approveAdvertisement([row('eeeeeeeeee')], request, 'api:alice', NOW),
      ErrorCodes.CONFLICT,
      /does not advertise/,
    );
  });

  test('an empty actor is a bug', () => {
    fails(() => approveAdvertisement([pending], request, ' ', NOW), ErrorCodes.INTERNAL, /actor/);
  });
});

describe('rejectAdvertisement', () => {
  test('approved becomes false, approvedBy and approvedAt are cleared, the event keeps who had approved', () => {
    const approved = row(A, P, { approvedBy: 'api:alice', approvedAt: 5 });
    const result = rejectAdvertisement([approved], request, 'cli:bob', NOW);
    assert.deepEqual(result.row, {
      ...approved,
      approved: false,
      approvedBy: null,
      approvedAt: null,
      updatedAt: NOW,
    });
    assert.equal(result.event?.type, 'rejected');
    assert.match(result.event!.reason, /cli:bob rejected .* \(was approved by api:alice\)/);
  });

  test('rejecting a pending or withdrawn row is no change; no row at all is NOT_FOUND', () => {
    assert.equal(rejectAdvertisement([pending], request, 'cli:bob', NOW).changed, false);
    assert.equal(
      rejectAdvertisement([{ ...pending, advertised: false }], request, 'cli:bob', NOW).event,
      null,
    );
    fails(
      () => rejectAdvertisement([], request, 'cli:bob', NOW),
      ErrorCodes.NOT_FOUND,
      /advertisement of 192\.168\.50\.0\/24 by member a1b2c3d4e5 not found/,
    );
  });
});
