import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCodes, isRpError } from '../errors.ts';
import { newMember } from './member-defaults.ts';
import type { MemberRecord } from './member-types.ts';
import { applyMemberUpdate } from './member-update.ts';

const base = (): MemberRecord => newMember('f8ea0e79249a7b42', '43e690e007', 1795270936668);

function rejects(body: unknown, field: string, ...fragments: string[]): void {
  const current = base();
  const before = structuredClone(current);
  assert.throws(
    () => applyMemberUpdate(current, body, 5),
    (e) => {
      assert.ok(isRpError(e), String(e));
      assert.equal(e.code, ErrorCodes.INVALID_INPUT);
      assert.equal(e.field, field);
      for (const fragment of [`${field}: `, ...fragments])
        assert.ok(e.message.includes(fragment), `${e.message} lacks ${fragment}`);
      return true;
    },
  );
  assert.deepEqual(current, before, 'a failed update changes nothing');
}

describe('authorization bookkeeping (as api-member-post-*.json)', () => {
  test('false -> true stamps lastAuthorized*', () => {
    const m = applyMemberUpdate(base(), { authorized: true }, 1795270937379);
    assert.equal(m.authorized, true);
    assert.equal(m.lastAuthorizedTime, 1795270937379);
    assert.equal(m.lastAuthorizedCredentialType, 'api');
    assert.equal(m.lastAuthorizedCredential, null);
    assert.equal(m.lastDeauthorizedTime, 0);
  });

  test('true -> false stamps lastDeauthorizedTime and keeps the rest', () => {
    const on = applyMemberUpdate(base(), { authorized: true }, 100);
    const off = applyMemberUpdate(on, { authorized: false }, 200);
    assert.equal(off.authorized, false);
    assert.equal(off.lastDeauthorizedTime, 200);
    assert.equal(off.lastAuthorizedTime, 100);
    assert.equal(off.lastAuthorizedCredentialType, 'api');
  });

  test('an unchanged value changes nothing', () => {
    const on = applyMemberUpdate(base(), { authorized: true }, 100);
    assert.deepEqual(applyMemberUpdate(on, { authorized: true }, 300), on);
    assert.deepEqual(applyMemberUpdate(base(), { authorized: false }, 300), base());
  });
});

describe('fields', () => {
  test('scalars and arrays', () => {
    const m = applyMemberUpdate(
      base(),
      {
        name: 'member-b',
        activeBridge: true,
        noAutoAssignIps: true,
        ssoExempt: true,
        ipAssignments: ['10.147.17.45', 'FD00::0001', '10.147.17.45'],
        tags: [
          [5, 1],
          [2, 9],
          [5, 1],
        ],
        capabilities: [3, 1, 3],
        remoteTraceTarget: 'ABCDEF0123',
        remoteTraceLevel: 1,
        authenticationExpiryTime: 1795270999999,
      },
      1,
    );
    assert.equal(m.name, 'member-b');
    assert.equal(m.activeBridge, true);
    assert.equal(m.noAutoAssignIps, true);
    assert.equal(m.ssoExempt, true);
    assert.deepEqual(m.ipAssignments, ['10.147.17.45', 'fd00::1']);
    assert.deepEqual(m.tags, [
      [2, 9],
      [5, 1],
    ]);
    assert.deepEqual(m.capabilities, [1, 3]);
    assert.equal(m.remoteTraceTarget, 'abcdef0123');
    assert.equal(m.remoteTraceLevel, 1);
    assert.equal(m.authenticationExpiryTime, 1795270999999);
  });

  test('read-only fields and extras are ignored whatever their value', () => {
    const current = { ...base(), identity: '43e690e007:0:abcd', vMajor: 1 };
    const next = applyMemberUpdate(
      current,
      {
        id: 'x',
        address: 5,
        nwid: null,
        objtype: 'network',
        revision: 'r',
        creationTime: 'now',
        identity: 'forged',
        vMajor: 'x',
        vMinor: 9,
        vRev: 9,
        vProto: 9,
        lastAuthorizedTime: 'x',
        lastDeauthorizedTime: 9,
        lastAuthorizedCredential: 'x',
        lastAuthorizedCredentialType: 'token',
        lastSeen: 'x',
        online: 'yes',
        physicalAddress: 1,
        rfc4193Address: 'x',
        sixPlaneAddress: 'x',
        ipamChildSubnet: 'x',
        whatever: {},
      },
      99,
    );
    assert.deepEqual(next, current);
  });

  test('never mutates the input', () => {
    const current = base();
    const before = structuredClone(current);
    const next = applyMemberUpdate(current, { ipAssignments: ['10.0.0.1'], authorized: true }, 1);
    assert.deepEqual(current, before);
    next.ipAssignments.push('x');
    assert.deepEqual(current.ipAssignments, []);
  });

  test('32 addresses are fine; 33 are not', () => {
    const ips = (n: number) => Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}`);
    assert.equal(applyMemberUpdate(base(), { ipAssignments: ips(32) }, 1).ipAssignments.length, 32);
    rejects({ ipAssignments: ips(33) }, 'ipAssignments', '33 addresses', '32');
  });
});

describe('bad input', () => {
  test('body and wrong types name the field and value', () => {
    rejects([], 'body', '[]');
    rejects({ authorized: 'true' }, 'authorized', '"true"');
    rejects({ authorized: 1 }, 'authorized', '1');
    rejects({ activeBridge: 'no' }, 'activeBridge', '"no"');
    rejects({ noAutoAssignIps: null }, 'noAutoAssignIps', 'null');
    rejects({ name: 7 }, 'name', '7');
    rejects({ ipAssignments: '10.0.0.1' }, 'ipAssignments', '"10.0.0.1"');
    rejects({ ipAssignments: ['10.0.0.1', '10.0.0.300'] }, 'ipAssignments[1]', '"10.0.0.300"');
    rejects({ ipAssignments: ['10.0.0.1/24'] }, 'ipAssignments[0]', '"10.0.0.1/24"', 'without /bits');
    rejects({ tags: [[1]] }, 'tags[0]', '[1]');
    rejects({ tags: [[1, 'a']] }, 'tags[0][1]', '"a"');
    rejects(
      {
        tags: [
          [1, 2],
          [1, 3],
        ],
      },
      'tags[1]',
      'tag 1',
      'tags[0]',
    );
    rejects({ capabilities: [1, -1] }, 'capabilities[1]', '-1');
    rejects({ remoteTraceTarget: 'abc' }, 'remoteTraceTarget', '"abc"');
    rejects({ remoteTraceLevel: 1.5 }, 'remoteTraceLevel', '1.5');
    rejects({ authenticationExpiryTime: '0' }, 'authenticationExpiryTime', '"0"');
    rejects({ name: 'fine', authorized: true, ssoExempt: 'x' }, 'ssoExempt', '"x"');
  });

  test('property: failures are RpErrors and never mutate', () => {
    const anyValue = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    const keys = fc.constantFrom(
      'authorized',
      'name',
      'ipAssignments',
      'tags',
      'capabilities',
      'activeBridge',
      'id',
    );
    fc.assert(
      fc.property(fc.dictionary(keys, anyValue), (body) => {
        const current = base();
        const before = structuredClone(current);
        try {
          applyMemberUpdate(current, body, 1);
        } catch (e) {
          assert.ok(isRpError(e), String(e));
        }
        assert.deepEqual(current, before);
      }),
    );
  });
});
