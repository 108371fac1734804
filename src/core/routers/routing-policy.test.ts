import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, RpError } from '../errors.ts';
import { matchAutoApprover, parseApprover, parseRoutingPolicy } from './routing-policy.ts';
import { DEFAULT_ROUTING_POLICY } from './router-types.ts';

function rejects(fn: () => unknown, field: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RpError, String(error));
    assert.equal(error.code, ErrorCodes.INVALID_INPUT);
    assert.equal(error.field, field);
    assert.match(error.message, message);
    return true;
  });
}

describe('parseRoutingPolicy', () => {
  test('an empty body gives the defaults: primary, 30 s, no auto-approvers', () => {
    assert.deepEqual(parseRoutingPolicy({}), {
      steering: 'primary',
      failbackAfter: 30_000,
      autoApprovers: [],
    });
  });

  test('fields are read and canonicalised; unknown fields are ignored', () => {
    const policy = parseRoutingPolicy({
      steering: 'spread',
      failbackAfter: 0,
      autoApprovers: [{ prefix: 'FD00::/8', approvers: ['member:A1B2C3D4E5', 'name:gw 1', 'tag:100=7'] }],
      other: 1,
    });
    assert.deepEqual(policy, {
      steering: 'spread',
      failbackAfter: 0,
      autoApprovers: [{ prefix: 'fd00::/8', approvers: ['member:a1b2c3d4e5', 'name:gw 1', 'tag:100=7'] }],
    });
  });

  test('absent fields keep the base (PATCH), the base is not mutated', () => {
    const base = parseRoutingPolicy({
      steering: 'spread',
      autoApprovers: [{ prefix: '10.0.0.0/8', approvers: ['tag:1=1'] }],
    });
    const next = parseRoutingPolicy({ failbackAfter: 5000 }, base);
    assert.deepEqual(next, { ...base, failbackAfter: 5000 });
    next.autoApprovers[0]!.approvers.push('x');
    assert.deepEqual(base.autoApprovers[0]!.approvers, ['tag:1=1']);
    assert.deepEqual(DEFAULT_ROUTING_POLICY.autoApprovers, []);
  });

  test('bad input names the field', () => {
    rejects(() => parseRoutingPolicy([]), 'routing', /expected an object/);
    rejects(() => parseRoutingPolicy({ steering: 'ecmp' }), 'steering', /"primary" or "spread", got "ecmp"/);
    rejects(() => parseRoutingPolicy({ failbackAfter: -1 }), 'failbackAfter', /out of range/);
    rejects(() => parseRoutingPolicy({ failbackAfter: 1.5 }), 'failbackAfter', /expected an integer/);
    rejects(() => parseRoutingPolicy({ failbackAfter: 86_400_001 }), 'failbackAfter', /out of range/);
    rejects(() => parseRoutingPolicy({ autoApprovers: {} }), 'autoApprovers', /expected an array/);
    rejects(
      () => parseRoutingPolicy({ autoApprovers: [{ approvers: ['tag:1=1'] }] }),
      'autoApprovers[0].prefix',
      /missing/,
    );
    rejects(
      () => parseRoutingPolicy({ autoApprovers: [{ prefix: '10.0.0.1/8', approvers: ['tag:1=1'] }] }),
      'autoApprovers[0].prefix',
      /host bits set \(did you mean 10\.0\.0\.0\/8\?\)/,
    );
    rejects(
      () => parseRoutingPolicy({ autoApprovers: [{ prefix: '10.0.0.0/8' }] }),
      'autoApprovers[0].approvers',
      /missing/,
    );
    rejects(
      () => parseRoutingPolicy({ autoApprovers: [{ prefix: '10.0.0.0/8', approvers: [] }] }),
      'autoApprovers[0].approvers',
      /at least one/,
    );
    rejects(
      () =>
        parseRoutingPolicy({ autoApprovers: [{ prefix: '10.0.0.0/8', approvers: ['tag:1=1', 'group:x'] }] }),
      'autoApprovers[0].approvers[1]',
      /member:<address>, name:<member name> or tag:<id>=<value>/,
    );
    rejects(
      () =>
        parseRoutingPolicy({
          autoApprovers: [{ prefix: '10.0.0.0/8', approvers: ['member:a1b2c3d4e5', 'member:A1B2C3D4E5'] }],
        }),
      'autoApprovers[0].approvers[1]',
      /duplicate approver member:a1b2c3d4e5 \(same as approvers\[0\]\)/,
    );
  });
});

describe('parseApprover', () => {
  test('the three forms, strictly', () => {
    assert.deepEqual(parseApprover('member:ABCDEF0123', 'f'), { kind: 'member', address: 'abcdef0123' });
    assert.deepEqual(parseApprover('name:a:b=c', 'f'), { kind: 'name', name: 'a:b=c' });
    assert.deepEqual(parseApprover('tag:0=4294967295', 'f'), { kind: 'tag', id: 0, value: 4294967295 });
    rejects(() => parseApprover('member:abc', 'f'), 'f', /10 hex digit/);
    rejects(() => parseApprover('name:', 'f'), 'f', /name is empty/);
    rejects(() => parseApprover('tag:1=4294967296', 'f'), 'f', /tag:<id>=<value>/);
    rejects(() => parseApprover('tag:01=2', 'f'), 'f', /tag:<id>=<value>/);
    rejects(() => parseApprover('tag:1', 'f'), 'f', /tag:<id>=<value>/);
    rejects(() => parseApprover(7, 'f'), 'f', /expected a string/);
  });
});

describe('matchAutoApprover', () => {
  const policy = parseRoutingPolicy({
    autoApprovers: [
      { prefix: '192.168.0.0/16', approvers: ['tag:100=1'] },
      { prefix: '192.168.50.0/24', approvers: ['name:gw-a', 'member:a1b2c3d4e5'] },
      { prefix: '0.0.0.0/0', approvers: ['member:ffffffffff'] },
    ],
  });
  const member = (patch: object = {}) => ({
    address: 'a1b2c3d4e5',
    name: 'other',
    tags: [] as [number, number][],
    ...patch,
  });

  test('a prefix inside (or equal to) the range, by address, name or tag', () => {
    assert.deepEqual(matchAutoApprover(policy, '192.168.50.0/24', member()), {
      index: 1,
      range: '192.168.50.0/24',
      approver: 'member:a1b2c3d4e5',
      approvedBy: 'auto-approver:192.168.50.0/24',
    });
    assert.equal(
      matchAutoApprover(policy, '192.168.50.128/25', member({ address: 'eeeeeeeeee', name: 'gw-a' }))
        ?.approver,
      'name:gw-a',
    );
    assert.equal(matchAutoApprover(policy, '192.168.50.0/24', member({ tags: [[100, 1]] }))?.index, 0);
  });

  test('no match: outside the range, range inside the prefix, wrong tag value, other family, name case', () => {
    assert.equal(matchAutoApprover(policy, '192.168.51.0/24', member()), null);
    assert.equal(matchAutoApprover(policy, '192.168.0.0/15', member({ tags: [[100, 1]] })), null);
    assert.equal(
      matchAutoApprover(
        policy,
        '192.168.7.0/24',
        member({
          tags: [
            [100, 2],
            [101, 1],
          ],
        }),
      ),
      null,
    );
    assert.equal(matchAutoApprover(policy, 'fd00::/64', member({ address: 'ffffffffff' })), null);
    assert.equal(
      matchAutoApprover(policy, '192.168.50.0/24', member({ address: 'eeeeeeeeee', name: 'GW-A' })),
      null,
    );
  });

  test('the default route is approved only by a rule that covers it', () => {
    assert.equal(
      matchAutoApprover(policy, '0.0.0.0/0', member({ address: 'ffffffffff' }))?.range,
      '0.0.0.0/0',
    );
    assert.equal(matchAutoApprover(policy, '0.0.0.0/0', member()), null);
  });

  test('a malformed prefix argument is INVALID_INPUT', () => {
    rejects(() => matchAutoApprover(policy, '192.168.50.1/24', member()), 'prefix', /host bits/);
  });
});
