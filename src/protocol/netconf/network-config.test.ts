import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlowRule } from '../../core/network/flow-rules.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';
import { Dictionary } from '../dictionary.ts';
import { bytesToHex } from '../test-vectors.ts';
import { decodeCapabilities, verifyCapability } from './capability-credential.ts';
import {
  buildNetworkConfig,
  encodeDns,
  encodeRoutes,
  planNetworkConfig,
  type NetworkConfigInput,
} from './network-config.ts';
import { decodeRules } from './rules-wire.ts';
import { decodeTags } from './tag-credential.ts';
import {
  controllerIdentity,
  memberIdentity,
  recordedDicts,
  recordedMember,
  recordedNetwork,
} from './recorded-run.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function input(revision: 1 | 2, now: number, change: Partial<NetworkConfigInput> = {}): NetworkConfigInput {
  const network = recordedNetwork(revision);
  return {
    network,
    member: recordedMember(),
    memberIdentity: memberIdentity(),
    controller: controllerIdentity(),
    now,
    routes: network.routes,
    activeBridges: [],
    rulesEngineSupported: true,
    ...change,
  };
}

test('ACCEPTANCE: the three recorded network configs are rebuilt byte for byte', () => {
  const recorded = recordedDicts();
  assert.equal(recorded.length, 3);
  for (const { dict, ts, revision } of recorded) {
    const built = buildNetworkConfig(input(revision, ts));
    assert.equal(bytesToHex(built.encode()), dict.hex, dict.file);
  }
});

test('the plan reports what stock would drop silently', () => {
  const member = {
    ...recordedMember(),
    ipAssignments: ['10.147.17.41', '192.168.200.1'],
    capabilities: [99],
  };
  const plan = planNetworkConfig(input(1, 1_795_271_564_122, { member }));
  assert.deepEqual(plan.unsent, [{ ip: '192.168.200.1', reason: 'outside-routes' }]);
  assert.deepEqual(plan.unknownCapabilities, [99]);
  assert.deepEqual(plan.uncertified, []);
  assert.deepEqual(
    plan.staticIps.map((s) => s.ip),
    ['fd69:51fb:a29a:d56e:5199:93d0:246d:debd', '10.147.17.41'],
  );
});

function withRulesTagsCaps(): NetworkRecord {
  const network = recordedNetwork(1);
  return {
    ...network,
    rules: [
      parseFlowRule({ type: 'MATCH_ETHERTYPE', etherType: 0x0800, not: true }, 'r'),
      parseFlowRule({ type: 'ACTION_DROP' }, 'r'),
      parseFlowRule({ type: 'ACTION_ACCEPT' }, 'r'),
    ],
    capabilities: [{ id: 3, default: false, rules: [parseFlowRule({ type: 'ACTION_ACCEPT' }, 'r')] }],
    tags: [
      { id: 20, default: 7 },
      { id: 10, default: null },
    ],
  };
}

test('rules, capabilities and tags are sent (signed, in the stock key order) to a rules-engine client', () => {
  const controller = controllerIdentity();
  const member = { ...recordedMember(), capabilities: [3], tags: [[30, 1]] as [number, number][] };
  const d = buildNetworkConfig(
    input(1, 5000, {
      network: withRulesTagsCaps(),
      member,
      activeBridges: ['6951fba29a', 'd0246ddebd', '6951fba29a'],
    }),
  );
  assert.deepEqual(d.keys(), [
    'v',
    'nwid',
    'ts',
    'ctmd',
    'r',
    'id',
    'tt',
    'tl',
    'f',
    'ml',
    't',
    'n',
    'mtu',
    'C',
    'CAP',
    'TAG',
    'COO',
    'S',
    'RT',
    'I',
    'R',
    'DNS',
    'ssov',
    'ssoe',
  ]);
  assert.equal(hex(d.get('R')!), 'a502080000000100');
  const caps = decodeCapabilities(d.get('CAP')!);
  assert.equal(caps.length, 1);
  assert.equal(caps[0]!.id, 3);
  assert.equal(caps[0]!.timestamp, 5000n);
  assert.ok(verifyCapability(caps[0]!, controller));
  // The member's own tag plus the network default it lacks, ordered by id; no default → not issued.
  assert.deepEqual(
    decodeTags(d.get('TAG')!).map((t) => [t.id, t.value, t.issuedTo]),
    [
      [20, 7, 'd0246ddebd'],
      [30, 1, 'd0246ddebd'],
    ],
  );
  // Active bridges: one 64-bit entry each (duplicates merged), type bit 0x020000000000.
  assert.equal(hex(d.get('S')!), '0000026951fba29a000002d0246ddebd');
});

test('a client without a rules engine gets a single ACCEPT and no tags or capabilities', () => {
  const member = { ...recordedMember(), capabilities: [3] };
  const d = buildNetworkConfig(
    input(1, 5000, { network: withRulesTagsCaps(), member, rulesEngineSupported: false }),
  );
  assert.equal(hex(d.get('R')!), '0100');
  assert.equal(d.has('CAP'), false);
  assert.equal(d.has('TAG'), false);
  assert.deepEqual(decodeRules(d.get('R')!), [parseFlowRule({ type: 'ACTION_ACCEPT' }, 'r')]);
});

test('scalar fields: public type, clamped ctmd and MTU, trace target, flags, SSO', () => {
  const base = recordedNetwork(1);
  const network: NetworkRecord = {
    ...base,
    private: false,
    enableBroadcast: false,
    v6AssignMode: { zt: false, rfc4193: false, '6plane': false },
    certificateTimeoutWindowSize: 60_000,
    mtu: 20_000,
    remoteTraceTarget: 'd0246ddebd',
    remoteTraceLevel: 2,
    ssoEnabled: true,
    name: 'x'.repeat(200),
  };
  const member = { ...recordedMember(), authenticationExpiryTime: 0x1234 };
  const d = buildNetworkConfig(
    input(1, 5000, { network, member, ssoAuthenticationUrl: 'https://sso.example/a?b=c' }),
  );
  assert.equal(d.getString('t'), '0000000000000001');
  assert.equal(d.getNumber('ctmd'), 300_000, 'clamped up to 5 minutes');
  assert.equal(d.getNumber('mtu'), 10_000);
  assert.equal(d.getString('tt'), 'd0246ddebd');
  assert.equal(d.getNumber('tl'), 2);
  assert.equal(d.getNumber('f'), 0, 'no broadcast, no NDP emulation');
  assert.equal(d.getString('n')!.length, 127);
  assert.equal(d.getString('ssoe'), '1');
  assert.equal(d.getString('aurl'), 'https://sso.example/a?b=c');
  assert.equal(d.getNumber('aexpt'), 0x1234);
  assert.deepEqual(d.keys().slice(-4), ['ssov', 'ssoe', 'aurl', 'aexpt']);
  // The member's own trace target wins over the network's.
  const own = buildNetworkConfig(
    input(1, 5000, { network, member: { ...member, remoteTraceTarget: '6951fba29a', remoteTraceLevel: 5 } }),
  );
  assert.equal(own.getString('tt'), '6951fba29a');
  assert.equal(own.getNumber('tl'), 5);
});

test('a member without addresses gets no COO and no I; routes and DNS keep their stock forms', () => {
  const network: NetworkRecord = {
    ...recordedNetwork(1),
    v6AssignMode: { zt: false, rfc4193: false, '6plane': false },
    dns: [],
  };
  const member = { ...recordedMember(), ipAssignments: [] };
  const d = buildNetworkConfig(input(1, 5000, { network, member, routes: [] }));
  assert.equal(d.has('COO'), false);
  assert.equal(d.has('I'), false);
  assert.equal(d.has('RT'), false);
  assert.equal(hex(d.get('DNS')!), '00'.repeat(128) + '00000000');
  assert.ok(Dictionary.parse(d.encode()).has('C'));
  // A via of the other family is dropped (nil), as stock does.
  assert.equal(
    hex(encodeRoutes([{ target: '10.0.0.0/8', via: 'fd00::1' }])),
    '040a0000000008' + '00' + '00000000',
  );
  const v6Route = '06fd' + '00'.repeat(15) + '0008' + '06fd' + '00'.repeat(14) + '01' + '0000' + '00000000';
  assert.equal(hex(encodeRoutes([{ target: 'fd00::/8', via: 'fd00::1' }])), v6Route);
  assert.throws(() => encodeDns({ dns: { domain: 'a'.repeat(128), servers: [] } }), /at most 127/);
});

test('bad input is refused rather than sent: too many routes, foreign identities', () => {
  const routes = Array.from({ length: 129 }, (_, i) => ({ target: `10.${i}.0.0/16`, via: null }));
  assert.throws(() => buildNetworkConfig(input(1, 5000, { routes })), /129 routes .* at most 128/);
  assert.throws(
    () => buildNetworkConfig(input(1, 5000, { memberIdentity: controllerIdentity().withoutPrivate() })),
    /does not belong to member/,
  );
  assert.throws(
    () => buildNetworkConfig(input(1, 5000, { controller: controllerIdentity().withoutPrivate() })),
    /private key/,
  );
  assert.throws(
    () => buildNetworkConfig(input(1, 5000, { controller: memberIdentity() })),
    /does not own network/,
  );
});
