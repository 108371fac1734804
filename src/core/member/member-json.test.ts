import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { newNetwork } from '../network/network-defaults.ts';
import type { NetworkRecord } from '../network/network-types.ts';
import { newMember } from './member-defaults.ts';
import { memberJsonText, memberToJson } from './member-json.ts';
import type { MemberRecord } from './member-types.ts';
import { applyMemberUpdate } from './member-update.ts';
// Recorded from zerotier-one 1.14.1 (run-baseline): one member's life, and the controller's own member.
import beforeAuth from './fixtures/stock-member-before-auth.json' with { type: 'json' };
import postAuthorize from './fixtures/stock-member-post-authorize.json' with { type: 'json' };
import memberGet from './fixtures/stock-member-get.json' with { type: 'json' };
import postDeauthorize from './fixtures/stock-member-post-deauthorize.json' with { type: 'json' };
import controllerPost from './fixtures/stock-member-controller-post.json' with { type: 'json' };
import controllerGet from './fixtures/stock-member-controller-get.json' with { type: 'json' };

const NWID = 'f8ea0e79249a7b42';
const EXTRAS = ['lastSeen', 'online', 'physicalAddress', 'rfc4193Address', 'sixPlaneAddress'];

/** Our JSON without the Routeplane extras, serialised: must equal the stock bytes. */
function stockPart(member: MemberRecord, network?: NetworkRecord): string {
  const json = memberToJson(member, network, 0);
  for (const key of EXTRAS) delete json[key];
  return JSON.stringify(json);
}

describe('memberToJson against the stock recordings', () => {
  // The protocol layer fills identity and client version; the service bumps revision.
  const identity = beforeAuth.identity;
  const version = { vMajor: 1, vMinor: 14, vRev: 1, vProto: 12 };

  test('a member through its life: created, authorized, got an IP, deauthorized', () => {
    let m: MemberRecord = { ...newMember(NWID, '43e690e007', 1795270936668), identity, revision: 1 };
    assert.equal(stockPart(m), JSON.stringify(beforeAuth));

    m = { ...applyMemberUpdate(m, { authorized: true, name: 'member-b' }, 1795270937379), revision: 2 };
    assert.equal(stockPart(m), JSON.stringify(postAuthorize));

    m = { ...m, ...version, ipAssignments: ['10.147.17.45'], revision: 3 };
    assert.equal(stockPart(m), JSON.stringify(memberGet));

    m = { ...applyMemberUpdate(m, { authorized: false }, 1795270950428), revision: 4 };
    assert.equal(stockPart(m), JSON.stringify(postDeauthorize));
  });

  test('a member created by POST (no identity yet), then seen', () => {
    const created = applyMemberUpdate(
      newMember(NWID, 'f8ea0e7924', 1795270932001),
      { authorized: true, ipAssignments: ['10.147.17.1'], name: 'controller-self' },
      1795270932001,
    );
    assert.equal(stockPart({ ...created, revision: 1 }), JSON.stringify(controllerPost));
    const seen = { ...created, ...version, identity: controllerGet.identity, revision: 2 };
    assert.equal(stockPart(seen), JSON.stringify(controllerGet));
  });
});

describe('Routeplane extras', () => {
  const member = (): MemberRecord => newMember(NWID, '43e690e007', 1);

  test('all keys are in alphabetical order', () => {
    const network = { ...newNetwork(NWID, 1), v6AssignMode: { zt: false, rfc4193: true, '6plane': true } };
    const json = memberToJson(
      { ...member(), name: 'n', identity: 'x', lastSeen: 5, physicalAddress: '192.0.2.2/9993' },
      network,
      10,
    );
    const keys = Object.keys(json);
    assert.deepEqual(keys, [...keys].sort());
    for (const key of EXTRAS) assert.ok(key in json, key);
  });

  test('online within 120 s of lastSeen; null when never seen', () => {
    const never = memberToJson(member(), undefined, 1000);
    assert.equal(never.lastSeen, null);
    assert.equal(never.online, false);
    assert.equal(never.physicalAddress, null);
    const seenAt = 1_000_000;
    assert.equal(memberToJson({ ...member(), lastSeen: seenAt }, undefined, seenAt + 120_000).online, true);
    assert.equal(memberToJson({ ...member(), lastSeen: seenAt }, undefined, seenAt + 120_001).online, false);
    const json = memberToJson(
      { ...member(), lastSeen: seenAt, physicalAddress: '192.0.2.2/9993' },
      undefined,
      seenAt,
    );
    assert.equal(json.lastSeen, seenAt);
    assert.equal(json.physicalAddress, '192.0.2.2/9993');
  });

  test('derived IPv6 addresses only when the network enables the mode', () => {
    const plain = memberToJson(member(), newNetwork(NWID, 1), 0);
    assert.equal('rfc4193Address' in plain, false);
    assert.equal('sixPlaneAddress' in plain, false);
    assert.equal('rfc4193Address' in memberToJson(member(), undefined, 0), false);
    const rfc = { ...newNetwork(NWID, 1), v6AssignMode: { zt: false, rfc4193: true, '6plane': false } };
    const json = memberToJson(member(), rfc, 0);
    assert.equal(json.rfc4193Address, 'fdf8:ea0e:7924:9a7b:4299:9343:e690:e007/88');
    assert.equal('sixPlaneAddress' in json, false);
    const six = { ...newNetwork(NWID, 1), v6AssignMode: { zt: false, rfc4193: false, '6plane': true } };
    assert.equal(memberToJson(member(), six, 0).sixPlaneAddress, 'fcdc:7075:3b43:e690:e007::1/40');
  });

  test('the output shares no arrays with the record', () => {
    const m = { ...member(), ipAssignments: ['10.0.0.1'], tags: [[1, 2]] as [number, number][] };
    const json = memberToJson(m, undefined, 0);
    (json.ipAssignments as string[]).push('x');
    (json.tags as number[][])[0]?.push(3);
    assert.deepEqual(m.ipAssignments, ['10.0.0.1']);
    assert.deepEqual(m.tags, [[1, 2]]);
  });
});

test('memberJsonText is byte for byte JSON.stringify(memberToJson(...)) for any member (property)', () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('"', '\\', '\u2028', '\u0000'),
  );
  const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, NaN, Infinity, 1e21));
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const member = fc.record({
    networkId: fc.constant('f8ea0e7924000001'),
    address: fc.stringMatching(/^[1-9a-e][0-9a-f]{9}$/), // valid member addresses (ff… is reserved)
    name: maybe(text),
    authorized: fc.boolean(),
    activeBridge: fc.boolean(),
    noAutoAssignIps: fc.boolean(),
    ssoExempt: fc.boolean(),
    ipAssignments: fc.array(text, { maxLength: 3 }),
    tags: fc.array(fc.tuple(fc.integer(), fc.integer()), { maxLength: 3 }),
    capabilities: fc.array(fc.integer(), { maxLength: 3 }),
    creationTime: number,
    revision: number,
    lastAuthorizedTime: number,
    lastDeauthorizedTime: number,
    lastAuthorizedCredentialType: fc.option(text, { nil: null }),
    lastAuthorizedCredential: fc.option(text, { nil: null }),
    authenticationExpiryTime: number,
    vMajor: number,
    vMinor: number,
    vRev: number,
    vProto: number,
    remoteTraceTarget: fc.option(text, { nil: null }),
    remoteTraceLevel: number,
    identity: maybe(text),
    lastSeen: maybe(number),
    physicalAddress: maybe(text),
  });
  const ipam = maybe(
    fc.record({
      ipamSubnet: fc.option(text, { nil: null }),
      ipamChildSubnet: fc.option(text, { nil: null }),
    }),
  );
  fc.assert(
    fc.property(
      member,
      fc.boolean(),
      fc.boolean(),
      ipam,
      fc.integer(),
      (m, rfc4193, sixPlane, fields, now) => {
        const network = {
          ...newNetwork(m.networkId, 0),
          v6AssignMode: { zt: false, rfc4193, '6plane': sixPlane },
        };
        assert.equal(
          memberJsonText(m, network, now, fields),
          JSON.stringify(memberToJson(m, network, now, fields)),
        );
      },
    ),
    { numRuns: 500 },
  );
});
