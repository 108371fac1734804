// fast-check arbitraries for the records the store keeps, used by the contract suite's round-trip
// properties. Free-form JSON parts (rules, authTokens) go through JSON once, as any API body has:
// JSON cannot tell -0 from 0, and neither does the store.
import fc from 'fast-check';
import type { MemberRecord } from '../core/member/member-types.ts';
import type {
  FlowRule,
  ManagedRoute,
  NetworkCapability,
  NetworkDns,
  NetworkRecord,
  NetworkTag,
} from '../core/network/network-types.ts';

const hex = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

/** Text that stresses JSON: any code point, plus quotes, backslashes, NUL, newlines, lone surrogates. */
const text = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('"', '\\', '\u0000', '\n', '\ud800', '\udfff', 'é', '😀', '\u2028') }),
  );

const json = (): fc.Arbitrary<unknown> =>
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

const int = (): fc.Arbitrary<number> => fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
/** ms timestamps and revisions: stored in bigint columns, up to 2^53 - 1. */
const time = (): fc.Arbitrary<number> => fc.maxSafeNat();

const ip = (): fc.Arbitrary<string> => fc.oneof(fc.ipV4(), fc.ipV6());

const route = (): fc.Arbitrary<ManagedRoute> =>
  fc.record(
    {
      target: fc.oneof(
        fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([address, bits]) => `${address}/${bits}`),
        fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([address, bits]) => `${address}/${bits}`),
      ),
      via: fc.option(ip(), { nil: null }),
    },
    { noNullPrototype: true },
  );

const flowRule = (): fc.Arbitrary<FlowRule> =>
  fc
    .tuple(
      fc.dictionary(fc.string(), json(), { maxKeys: 4, noNullPrototype: true }),
      fc.record({ type: text(), not: fc.boolean(), or: fc.boolean() }, { noNullPrototype: true }),
    )
    .map(([extra, base]) => ({ ...extra, ...base }));

export function networkRecordArbitrary(): fc.Arbitrary<NetworkRecord> {
  const dns: fc.Arbitrary<NetworkDns | []> = fc.oneof(
    fc.constant([] as []),
    fc.record({ domain: text(), servers: fc.array(ip(), { maxLength: 4 }) }, { noNullPrototype: true }),
  );
  const capability: fc.Arbitrary<NetworkCapability> = fc.record(
    { id: int(), default: fc.boolean(), rules: fc.array(flowRule(), { maxLength: 3 }) },
    { noNullPrototype: true },
  );
  const tag: fc.Arbitrary<NetworkTag> = fc.record(
    { id: int(), default: fc.option(int(), { nil: null }) },
    { noNullPrototype: true },
  );
  return fc.record(
    {
      id: hex(16),
      name: text(),
      private: fc.boolean(),
      creationTime: time(),
      revision: time(),
      multicastLimit: int(),
      enableBroadcast: fc.boolean(),
      mtu: int(),
      v4AssignMode: fc.record({ zt: fc.boolean() }, { noNullPrototype: true }),
      v6AssignMode: fc.record(
        { zt: fc.boolean(), rfc4193: fc.boolean(), '6plane': fc.boolean() },
        { noNullPrototype: true },
      ),
      routes: fc.array(route(), { maxLength: 12 }),
      ipAssignmentPools: fc.array(
        fc.record({ ipRangeStart: ip(), ipRangeEnd: ip() }, { noNullPrototype: true }),
        { maxLength: 4 },
      ),
      rules: fc.array(flowRule(), { maxLength: 4 }),
      rulesSource: text(),
      capabilities: fc.array(capability, { maxLength: 3 }),
      tags: fc.array(tag, { maxLength: 3 }),
      dns,
      authTokens: fc.array(json(), { maxLength: 3 }),
      remoteTraceTarget: fc.option(text(), { nil: null }),
      remoteTraceLevel: int(),
      ssoEnabled: fc.boolean(),
      clientId: text(),
      authorizationEndpoint: text(),
      certificateTimeoutWindowSize: int(),
      ipamSubnet: fc.option(text(), { nil: null }),
      routesFromIpam: fc.boolean(),
      ipamGateway: fc.option(ip(), { nil: null }),
      routeLimitStrategy: fc.constantFrom('error' as const, 'aggregate' as const),
      steering: fc.constantFrom('primary' as const, 'spread' as const),
      failbackAfter: int(),
      autoApprovers: fc.array(
        fc.record(
          { prefix: text(), approvers: fc.array(text(), { maxLength: 3 }) },
          { noNullPrototype: true },
        ),
        { maxLength: 2 },
      ),
    },
    {
      noNullPrototype: true,
      // Every field but the optional one; absent and present must both survive.
      requiredKeys: [
        'id',
        'name',
        'private',
        'creationTime',
        'revision',
        'multicastLimit',
        'enableBroadcast',
        'ipamSubnet',
        'routesFromIpam',
        'ipamGateway',
        'routeLimitStrategy',
        'steering',
        'failbackAfter',
        'autoApprovers',
        'mtu',
        'v4AssignMode',
        'v6AssignMode',
        'routes',
        'ipAssignmentPools',
        'rules',
        'rulesSource',
        'capabilities',
        'tags',
        'dns',
        'authTokens',
        'remoteTraceTarget',
        'remoteTraceLevel',
        'ssoEnabled',
        'clientId',
        'authorizationEndpoint',
      ],
    },
  );
}

export function memberRecordArbitrary(networkId: string): fc.Arbitrary<MemberRecord> {
  return fc.record(
    {
      networkId: fc.constant(networkId),
      address: hex(10),
      name: text(),
      authorized: fc.boolean(),
      activeBridge: fc.boolean(),
      noAutoAssignIps: fc.boolean(),
      ssoExempt: fc.boolean(),
      // Duplicates allowed: the store keeps the list verbatim.
      ipAssignments: fc.array(ip(), { maxLength: 5 }),
      tags: fc.array(fc.tuple(int(), int()), { maxLength: 4 }),
      capabilities: fc.array(int(), { maxLength: 4 }),
      creationTime: time(),
      revision: time(),
      lastAuthorizedTime: time(),
      lastDeauthorizedTime: time(),
      lastAuthorizedCredentialType: fc.option(text(), { nil: null }),
      lastAuthorizedCredential: fc.option(text(), { nil: null }),
      authenticationExpiryTime: time(),
      vMajor: int(),
      vMinor: int(),
      vRev: int(),
      vProto: int(),
      remoteTraceTarget: fc.option(text(), { nil: null }),
      remoteTraceLevel: int(),
      identity: text(),
      // lastSeen / physicalAddress are written by recordPresence only, never by putMember.
    },
    {
      noNullPrototype: true,
      requiredKeys: [
        'networkId',
        'address',
        'authorized',
        'activeBridge',
        'noAutoAssignIps',
        'ssoExempt',
        'ipAssignments',
        'tags',
        'capabilities',
        'creationTime',
        'revision',
        'lastAuthorizedTime',
        'lastDeauthorizedTime',
        'lastAuthorizedCredentialType',
        'lastAuthorizedCredential',
        'authenticationExpiryTime',
        'vMajor',
        'vMinor',
        'vRev',
        'vProto',
        'remoteTraceTarget',
        'remoteTraceLevel',
      ],
    },
  );
}
