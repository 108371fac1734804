// fast-check arbitraries for records a zerotier-one FileDB tree can carry: every stock field with a
// value the API accepts. They are built the way records are really made — an API body through
// applyNetworkUpdate / applyMemberUpdate, plus the fields only a controller writes — so every
// generated record is valid by construction. Used by the export∘import round-trip properties.
import fc from 'fast-check';
import { formatIp } from '../cidr/ip.ts';
import { newMember } from '../member/member-defaults.ts';
import type { MemberRecord } from '../member/member-types.ts';
import { applyMemberUpdate } from '../member/member-update.ts';
import { newNetwork } from '../network/network-defaults.ts';
import type { NetworkRecord } from '../network/network-types.ts';
import { applyNetworkUpdate } from '../network/network-update.ts';

const UINT32 = 0xffffffff;

const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

/** A node address a member can have (not zero, not in the reserved ff… range). */
export const memberAddress = (): fc.Arbitrary<string> =>
  hex(10).filter((address) => address !== '0000000000' && !address.startsWith('ff'));

const ipv4 = (): fc.Arbitrary<string> => fc.nat(UINT32).map((n) => formatIp(4, BigInt(n)));
const ipv6 = (): fc.Arbitrary<string> =>
  fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((n) => formatIp(6, n));
export const ip = (): fc.Arbitrary<string> => fc.oneof(ipv4(), ipv6());

const route = (): fc.Arbitrary<{ target: string; via: string | null }> =>
  fc.oneof(
    fc
      .tuple(fc.nat(UINT32), fc.integer({ min: 0, max: 32 }), fc.option(ipv4(), { nil: null }))
      .map(([n, bits, via]) => {
        const host = 32n - BigInt(bits);
        return { target: `${formatIp(4, (BigInt(n) >> host) << host)}/${bits}`, via };
      }),
    fc
      .tuple(
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        fc.integer({ min: 0, max: 128 }),
        fc.option(ipv6(), { nil: null }),
      )
      .map(([n, bits, via]) => {
        const host = 128n - BigInt(bits);
        return { target: `${formatIp(6, (n >> host) << host)}/${bits}`, via };
      }),
  );

const pool = (): fc.Arbitrary<{ ipRangeStart: string; ipRangeEnd: string }> =>
  fc.oneof(
    fc.tuple(fc.nat(UINT32), fc.nat(UINT32)).map(([a, b]) => ({
      ipRangeStart: formatIp(4, BigInt(Math.min(a, b))),
      ipRangeEnd: formatIp(4, BigInt(Math.max(a, b))),
    })),
    fc
      .tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }))
      .map(([a, b]) => ({
        ipRangeStart: formatIp(6, a < b ? a : b),
        ipRangeEnd: formatIp(6, a < b ? b : a),
      })),
  );

/** A sample of rule shapes, the stock INTEGER_RANGE spelling included. */
const rule = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.oneof(
    fc.record({
      type: fc.constantFrom('ACTION_ACCEPT', 'ACTION_DROP', 'ACTION_BREAK'),
      not: fc.boolean(),
      or: fc.boolean(),
    }),
    fc.record({ type: fc.constant('MATCH_ETHERTYPE'), etherType: fc.nat(0xffff), not: fc.boolean() }),
    fc.record({ type: fc.constant('MATCH_SOURCE_ZEROTIER_ADDRESS'), zt: memberAddress() }),
    fc.record({
      type: fc.constant('MATCH_IPV4_DEST'),
      ip: fc.tuple(ipv4(), fc.integer({ min: 0, max: 32 })).map(([a, b]) => `${a}/${b}`),
    }),
    fc.record({ type: fc.constant('MATCH_TAGS_EQUAL'), id: fc.nat(UINT32), value: fc.nat(UINT32) }),
    fc.record({
      type: fc.constant('ACTION_TEE'),
      address: memberAddress(),
      flags: fc.nat(UINT32),
      length: fc.nat(0xffff),
    }),
    fc.tuple(fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }), fc.nat(1000)).map(([start, span]) => ({
      type: 'INTEGER_RANGE',
      start: start.toString(16),
      end: (start + BigInt(span)).toString(16),
      bits: 8,
    })),
  );

/** Short text of any code points (fits ZeroTier's 127-byte fields at 4 bytes each). */
const text = (): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength: 24 });

const networkBody = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      name: text(),
      private: fc.boolean(),
      enableBroadcast: fc.boolean(),
      mtu: fc.integer({ min: 1280, max: 10000 }),
      multicastLimit: fc.nat(UINT32),
      v4AssignMode: fc.record({ zt: fc.boolean() }),
      v6AssignMode: fc.record({ zt: fc.boolean(), rfc4193: fc.boolean(), '6plane': fc.boolean() }),
      routes: fc.uniqueArray(route(), { maxLength: 6, selector: (r) => `${r.target} ${r.via}` }),
      ipAssignmentPools: fc.array(pool(), { maxLength: 3 }),
      rules: fc.array(rule(), { minLength: 1, maxLength: 4 }),
      capabilities: fc.uniqueArray(
        fc.record({ id: fc.nat(UINT32), default: fc.boolean(), rules: fc.array(rule(), { maxLength: 2 }) }),
        { maxLength: 3, selector: (c) => c.id },
      ),
      tags: fc.uniqueArray(
        fc.record({ id: fc.nat(UINT32), default: fc.option(fc.nat(UINT32), { nil: null }) }),
        {
          maxLength: 3,
          selector: (t) => t.id,
        },
      ),
      dns: fc.oneof(
        fc.constant([]),
        fc.record({
          domain: fc.domain().filter((d) => d.length <= 127),
          servers: fc.array(ip(), { maxLength: 4 }),
        }),
      ),
      rulesSource: text(),
      remoteTraceTarget: fc.option(memberAddress(), { nil: null }),
      remoteTraceLevel: fc.nat(UINT32),
      ssoEnabled: fc.boolean(),
      clientId: text(),
      authorizationEndpoint: text(),
      authTokens: fc.oneof(
        fc.constant([null]),
        fc.array(fc.record({ token: text(), expires: fc.maxSafeNat() }), { minLength: 1, maxLength: 2 }),
      ),
      certificateTimeoutWindowSize: fc.integer({ min: 300_000, max: 7_200_000 }),
    },
    { requiredKeys: ['name', 'routes', 'rules'] },
  );

/** A network under `controllerAddress` with every stock field drawn, as the API would store it. */
export function networkRecordArbitrary(controllerAddress: string): fc.Arbitrary<NetworkRecord> {
  return fc
    .tuple(hex(6), fc.maxSafeNat(), fc.maxSafeNat(), networkBody())
    .map(([suffix, creationTime, revision, body]) => {
      const network = applyNetworkUpdate(newNetwork(`${controllerAddress}${suffix}`, creationTime), body);
      network.revision = revision;
      return network;
    });
}

const memberBody = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      authorized: fc.boolean(),
      activeBridge: fc.boolean(),
      noAutoAssignIps: fc.boolean(),
      ssoExempt: fc.boolean(),
      name: text(),
      ipAssignments: fc.uniqueArray(ip(), { maxLength: 4 }),
      tags: fc.uniqueArray(fc.tuple(fc.nat(UINT32), fc.nat(UINT32)), {
        maxLength: 3,
        selector: ([id]) => id,
      }),
      capabilities: fc.uniqueArray(fc.nat(UINT32), { maxLength: 3 }),
      remoteTraceTarget: fc.option(memberAddress(), { nil: null }),
      remoteTraceLevel: fc.nat(UINT32),
      authenticationExpiryTime: fc.maxSafeNat(),
    },
    { requiredKeys: ['authorized'] },
  );

/** A member of `networkId` with every stock field drawn, the controller-written ones included. */
export function memberRecordArbitrary(networkId: string): fc.Arbitrary<MemberRecord> {
  const version = fc.integer({ min: -1, max: 0xffff });
  return fc
    .record({
      address: memberAddress(),
      creationTime: fc.maxSafeNat(),
      body: memberBody(),
      revision: fc.maxSafeNat(),
      lastAuthorizedTime: fc.maxSafeNat(),
      lastDeauthorizedTime: fc.maxSafeNat(),
      credentialType: fc.option(fc.constantFrom('api', 'token', 'public'), { nil: null }),
      credential: fc.option(text(), { nil: null }),
      versions: fc.tuple(version, version, version, version),
      identityKey: fc.option(hex(128), { nil: undefined }),
    })
    .map((r) => {
      const member = applyMemberUpdate(newMember(networkId, r.address, r.creationTime), r.body, 0);
      member.revision = r.revision;
      member.lastAuthorizedTime = r.lastAuthorizedTime;
      member.lastDeauthorizedTime = r.lastDeauthorizedTime;
      member.lastAuthorizedCredentialType = r.credentialType;
      member.lastAuthorizedCredential = r.credential;
      [member.vMajor, member.vMinor, member.vRev, member.vProto] = r.versions;
      if (r.identityKey !== undefined) member.identity = `${r.address}:0:${r.identityKey}`;
      return member;
    });
}
