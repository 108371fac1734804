import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalIp } from '../../core/cidr/ip.ts';
import { defaultRules } from '../../core/network/network-defaults.ts';
import { parseFlowRule } from '../../core/network/flow-rules.ts';
import { Dictionary } from '../dictionary.ts';
import { hexToBytes } from '../test-vectors.ts';
import { comNetworkId, verifyCom } from './certificate-of-membership.ts';
import { verifyCoo } from './certificate-of-ownership.ts';
import { buildNetworkConfig } from './network-config.ts';
import { parseNetworkConfig } from './network-config-parse.ts';
import {
  controllerIdentity,
  memberIdentity,
  netconfVectors,
  recordedMember,
  recordedNetwork,
} from './recorded-run.ts';

const canonicalCidr = (cidr: string) => {
  const [ip = '', bits] = cidr.split('/');
  return `${canonicalIp(ip)}/${bits}`;
};

test('the last recorded config parses to what the JS decoder saw on the wire', () => {
  const vectors = netconfVectors();
  const expected = vectors.parsedLastSeenOnWire;
  const parsed = parseNetworkConfig(hexToBytes(vectors.files[2]!.hex));
  assert.equal(parsed.version, 7);
  assert.equal(parsed.networkId, expected.nwid);
  assert.equal(parsed.timestamp, Number.parseInt(expected.ts as string, 16));
  assert.equal(parsed.credentialTimeMaxDelta, 1_800_000);
  assert.equal(parsed.revision, 2);
  assert.equal(parsed.issuedTo, expected.id);
  assert.equal(parsed.remoteTraceTarget, '0000000000');
  assert.equal(parsed.flags, 6);
  assert.equal(parsed.multicastLimit, 32);
  assert.equal(parsed.type, 0);
  assert.equal(parsed.name, expected.n);
  assert.equal(parsed.mtu, 2800);
  assert.deepEqual(
    parsed.routes,
    expected.routes.map((r) => ({ ...r, target: canonicalCidr(r.target) })),
  );
  assert.deepEqual(parsed.staticIps, expected.staticIps);
  assert.deepEqual(parsed.rules, defaultRules());
  assert.deepEqual(parsed.dns, expected.dns);
  assert.equal(parsed.com && comNetworkId(parsed.com), expected.nwid);
  assert.ok(parsed.com && verifyCom(parsed.com, controllerIdentity()));
  assert.equal(parsed.certificatesOfOwnership.length, 1);
  assert.equal(parsed.certificatesOfOwnership[0]!.things.length, expected.coo.things);
  assert.ok(verifyCoo(parsed.certificatesOfOwnership[0]!, controllerIdentity()));
  assert.deepEqual(parsed.specialists, []);
  assert.deepEqual(parsed.sso, { version: 0, enabled: false });
});

test('a built config with rules, tags, capabilities and bridges parses back to its inputs', () => {
  const network = {
    ...recordedNetwork(1),
    rules: [
      parseFlowRule({ type: 'MATCH_IPV4_DEST', ip: '10.9.0.0/16', not: true }, 'r'),
      parseFlowRule({ type: 'ACTION_ACCEPT' }, 'r'),
    ],
    capabilities: [{ id: 1, default: false, rules: [parseFlowRule({ type: 'ACTION_DROP' }, 'r')] }],
  };
  const member = { ...recordedMember(), capabilities: [1], tags: [[4, 44]] as [number, number][] };
  const d = buildNetworkConfig({
    network,
    member,
    memberIdentity: memberIdentity(),
    controller: controllerIdentity(),
    now: 77,
    routes: network.routes,
    activeBridges: ['0123456789'],
    rulesEngineSupported: true,
  });
  const parsed = parseNetworkConfig(Dictionary.parse(d.encode()));
  assert.deepEqual(parsed.rules, network.rules);
  assert.deepEqual(
    parsed.capabilities.map((c) => [c.id, c.rules]),
    [[1, [parseFlowRule({ type: 'ACTION_DROP' }, 'r')]]],
  );
  assert.deepEqual(
    parsed.tags.map((t) => [t.id, t.value]),
    [[4, 44]],
  );
  assert.deepEqual(parsed.specialists, [
    { address: '0123456789', activeBridge: true, anchor: false, multicastReplicator: false },
  ]);
  assert.equal(parsed.timestamp, 77);
});

test('configs a client would refuse throw', () => {
  assert.throws(
    () => parseNetworkConfig(new TextEncoder().encode('v=0000000000000007\nid=d0246ddebd')),
    /network id/,
  );
  assert.throws(() => parseNetworkConfig(new TextEncoder().encode('v=5\nnwid=1\nid=d0246ddebd')), /legacy/);
  assert.throws(() => parseNetworkConfig(new TextEncoder().encode('v=7\nnwid=1\nid=0')), /issued-to/);
  const truncatedRoutes = new Dictionary()
    .setUint64('v', 7)
    .setUint64('nwid', 1)
    .set('id', 'd0246ddebd')
    .set('RT', Uint8Array.of(4, 10, 0));
  assert.throws(() => parseNetworkConfig(truncatedRoutes), /truncated/);
});
