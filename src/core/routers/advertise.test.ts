import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, RpError } from '../errors.ts';
import { parseAdvertiseInput, pickSlot, planAdvertise, type AdvertiseContext } from './advertise.ts';
import { parseRoutingPolicy } from './routing-policy.ts';
import type { Advertisement } from './router-types.ts';
import { P, row } from './router-fixtures.test.ts';

const ME = 'a1b2c3d4e5';
const T0 = 1_000;
const NOW = 50_000;

function rejects(fn: () => unknown, field: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RpError, String(error));
    assert.equal(error.code, ErrorCodes.INVALID_INPUT);
    assert.equal(error.field, field);
    assert.match(error.message, message);
    return true;
  });
}

function context(patch: Partial<AdvertiseContext> = {}): AdvertiseContext {
  return {
    member: { address: ME, name: 'gw-a', tags: [] },
    policy: { autoApprovers: [] },
    network: [],
    ...patch,
  };
}

const mine = (prefix: string, patch: Partial<Advertisement> = {}) =>
  row(ME, prefix, { advertisedAt: T0, approvedAt: T0, updatedAt: T0, ...patch });

describe('parseAdvertiseInput', () => {
  test('canonical prefixes, metric default 100', () => {
    assert.deepEqual(parseAdvertiseInput({ prefixes: ['FD00:50::/64', '192.168.50.0/24'] }), {
      prefixes: ['fd00:50::/64', '192.168.50.0/24'],
      metric: 100,
    });
    assert.deepEqual(parseAdvertiseInput({ prefixes: [], metric: 0 }), { prefixes: [], metric: 0 });
    assert.equal(parseAdvertiseInput({ prefixes: [], metric: 65535 }).metric, 65535);
  });

  test('the default routes are accepted (exit nodes)', () => {
    assert.deepEqual(parseAdvertiseInput({ prefixes: ['0.0.0.0/0', '::/0'] }).prefixes, [
      '0.0.0.0/0',
      '::/0',
    ]);
  });

  test('bad input names the field', () => {
    rejects(() => parseAdvertiseInput(null), 'body', /expected an object/);
    rejects(() => parseAdvertiseInput({}), 'prefixes', /missing/);
    rejects(() => parseAdvertiseInput({ prefixes: '10.0.0.0/8' }), 'prefixes', /expected an array/);
    rejects(
      () => parseAdvertiseInput({ prefixes: ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16', 7] }),
      'prefixes[3]',
      /expected a CIDR string, got 7/,
    );
    rejects(
      () => parseAdvertiseInput({ prefixes: ['192.168.50.1/24'] }),
      'prefixes[0]',
      /host bits set \(did you mean 192\.168\.50\.0\/24\?\)/,
    );
    rejects(() => parseAdvertiseInput({ prefixes: ['10.0.0.0'] }), 'prefixes[0]', /no prefix length/);
    rejects(() => parseAdvertiseInput({ prefixes: ['10.0.0.0/33'] }), 'prefixes[0]', /0\.\.32/);
    rejects(
      () => parseAdvertiseInput({ prefixes: ['fd00::/8', '10.0.0.0/8', 'FD00::/8'] }),
      'prefixes[2]',
      /duplicate of prefixes\[0\] \(both are fd00::\/8\)/,
    );
    rejects(() => parseAdvertiseInput({ prefixes: [], metric: 65536 }), 'metric', /out of range/);
    rejects(() => parseAdvertiseInput({ prefixes: [], metric: -1 }), 'metric', /out of range/);
    rejects(() => parseAdvertiseInput({ prefixes: [], metric: '100' }), 'metric', /expected an integer/);
  });

  test('at most 128 prefixes', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `10.${i}.0.0/16`);
    assert.equal(parseAdvertiseInput({ prefixes: list(128) }).prefixes.length, 128);
    rejects(
      () => parseAdvertiseInput({ prefixes: list(129) }),
      'prefixes',
      /129 prefixes; a member may advertise at most 128/,
    );
  });
});

describe('planAdvertise', () => {
  test('a new prefix is advertised, not approved, slot 0, with an event', () => {
    const { rows, events } = planAdvertise([], { prefixes: [P], metric: 50 }, NOW, context());
    assert.deepEqual(rows, [
      {
        member: ME,
        prefix: P,
        metric: 50,
        advertised: true,
        approved: false,
        approvedBy: null,
        slot: 0,
        advertisedAt: NOW,
        approvedAt: null,
        updatedAt: NOW,
      },
    ]);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'advertised');
    assert.match(
      events[0]!.reason,
      /a1b2c3d4e5 advertises 192\.168\.50\.0\/24 \(metric 50; slot 0\); waiting for approval/,
    );
  });

  test('an auto-approver that names the member approves at once, approvedBy names the rule', () => {
    const policy = parseRoutingPolicy({
      autoApprovers: [{ prefix: '192.168.0.0/16', approvers: ['name:gw-a'] }],
    });
    const { rows, events } = planAdvertise([], { prefixes: [P, '10.0.0.0/8'] }, NOW, context({ policy }));
    const [ten, lan] = rows;
    assert.equal(ten!.prefix, '10.0.0.0/8'); // canonical prefix order
    assert.equal(ten!.approved, false);
    assert.deepEqual(
      { approved: lan!.approved, approvedBy: lan!.approvedBy, approvedAt: lan!.approvedAt },
      { approved: true, approvedBy: 'auto-approver:192.168.0.0/16', approvedAt: NOW },
    );
    assert.deepEqual(
      events.map((e) => [e.type, e.prefix]),
      [
        ['advertised', P],
        ['auto-approved', P],
        ['advertised', '10.0.0.0/8'],
      ],
    );
    assert.match(events[1]!.reason, /autoApprovers\[0\] \(192\.168\.0\.0\/16, name:gw-a\)/);
  });

  test('re-sending the same list changes nothing (state, slot and timestamps kept)', () => {
    const existing = [
      mine(P, { slot: 2, approvedBy: 'api:alice' }),
      mine('10.0.0.0/8', { approved: false, approvedBy: null, approvedAt: null }),
    ];
    const policy = parseRoutingPolicy({
      autoApprovers: [{ prefix: '0.0.0.0/0', approvers: ['member:a1b2c3d4e5'] }],
    });
    const { rows, events } = planAdvertise(
      existing,
      { prefixes: [P, '10.0.0.0/8'] },
      NOW,
      context({ policy }),
    );
    assert.deepEqual(rows, [existing[1], existing[0]]);
    assert.deepEqual(events, []); // a hand-rejected prefix is not auto-approved on every re-send
  });

  test('a changed metric updates only metric and updatedAt', () => {
    const existing = [mine(P)];
    const { rows, events } = planAdvertise(existing, { prefixes: [P], metric: 10 }, NOW, context());
    assert.deepEqual(rows, [{ ...existing[0]!, metric: 10, updatedAt: NOW }]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['metric-changed'],
    );
    assert.match(events[0]!.reason, /metric 10 \(was 100\)/);
  });

  test('a prefix no longer listed becomes not advertised and not approved (re-approval needed)', () => {
    const existing = [mine(P, { slot: 1 }), mine('10.0.0.0/8')];
    const { rows, events } = planAdvertise(existing, { prefixes: ['10.0.0.0/8'] }, NOW, context());
    assert.deepEqual(rows, [
      existing[1],
      {
        ...existing[0]!,
        advertised: false,
        approved: false,
        approvedBy: null,
        advertisedAt: null,
        approvedAt: null,
        updatedAt: NOW,
      },
    ]);
    assert.deepEqual(
      events.map((e) => [e.type, e.prefix]),
      [['withdrawn', P]],
    );
    assert.match(events[0]!.reason, /approval \(api:test\) revoked/);
  });

  test('advertising a withdrawn prefix again starts over: not approved unless an auto-approver matches', () => {
    const withdrawn = mine(P, {
      advertised: false,
      approved: false,
      approvedBy: null,
      approvedAt: null,
      advertisedAt: null,
      slot: 3,
    });
    const again = planAdvertise([withdrawn], { prefixes: [P] }, NOW, context());
    assert.deepEqual(again.rows, [
      { ...withdrawn, advertised: true, advertisedAt: NOW, updatedAt: NOW, slot: 3 },
    ]);
    assert.match(again.events[0]!.reason, /advertises again/);
    const policy = parseRoutingPolicy({ autoApprovers: [{ prefix: P, approvers: ['member:a1b2c3d4e5'] }] });
    assert.equal(
      planAdvertise([withdrawn], { prefixes: [P] }, NOW, context({ policy })).rows[0]!.approved,
      true,
    );
  });

  test('withdrawn rows not listed stay as they are; an empty list withdraws everything', () => {
    const withdrawn = mine('10.0.0.0/8', { advertised: false, approved: false });
    const { rows, events } = planAdvertise([withdrawn, mine(P)], { prefixes: [] }, NOW, context());
    assert.equal(rows.length, 2);
    assert.equal(rows[0], withdrawn);
    assert.equal(rows[1]!.advertised, false);
    assert.deepEqual(
      events.map((e) => e.type),
      ['withdrawn'],
    );
  });

  test('a default route is accepted and the event says members need allowDefault', () => {
    const { rows, events } = planAdvertise([], { prefixes: ['0.0.0.0/0'] }, NOW, context());
    assert.equal(rows[0]!.prefix, '0.0.0.0/0');
    assert.match(events[0]!.reason, /allowDefault=1/);
  });

  test('invalid input changes nothing and names the field', () => {
    rejects(() => planAdvertise([mine(P)], { prefixes: [P, 'x'] }, NOW, context()), 'prefixes[1]', /"x"/);
  });

  test("another member's row among `existing` is a bug, not silently mixed in", () => {
    assert.throws(
      () => planAdvertise([row('eeeeeeeeee')], { prefixes: [] }, NOW, context()),
      (e: unknown) => e instanceof RpError && e.code === ErrorCodes.INTERNAL,
    );
  });

  describe('slots', () => {
    const other = (member: string, slot: number, patch: Partial<Advertisement> = {}) =>
      row(member, P, { slot, ...patch });

    test('the lowest slot no other advertising router of the prefix holds', () => {
      const network = [
        other('0000000001', 0),
        other('0000000002', 2),
        row('0000000003', '10.0.0.0/8', { slot: 1 }),
      ];
      assert.equal(planAdvertise([], { prefixes: [P] }, NOW, context({ network })).rows[0]!.slot, 1);
    });

    test("withdrawn rows and the member's own rows hold no slot", () => {
      const network = [other('0000000001', 0, { advertised: false }), other(ME, 0)];
      assert.equal(planAdvertise([], { prefixes: [P] }, NOW, context({ network })).rows[0]!.slot, 0);
    });

    test('all four taken: the least-used slot is shared, and the event says what that costs', () => {
      const network = [
        other('0000000001', 0),
        other('0000000002', 1),
        other('0000000003', 2),
        other('0000000004', 3),
        other('0000000005', 0),
      ];
      const { rows, events } = planAdvertise([], { prefixes: [P] }, NOW, context({ network }));
      assert.equal(rows[0]!.slot, 1);
      assert.match(
        events[0]!.reason,
        /shared with 0000000002: a move between them withdraws the shared targets first/,
      );
    });

    test('pickSlot keeps a free old slot and replaces a taken one', () => {
      const network = [other('0000000001', 0), other('0000000002', 3)];
      assert.deepEqual(pickSlot(P, ME, network, 2), { slot: 2, sharedWith: [] });
      assert.deepEqual(pickSlot(P, ME, network, 3), { slot: 1, sharedWith: [] });
    });
  });
});
