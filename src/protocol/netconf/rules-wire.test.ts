import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLOW_RULE_TYPES, parseFlowRule } from '../../core/network/flow-rules.ts';
import { defaultRules } from '../../core/network/network-defaults.ts';
import type { FlowRule } from '../../core/network/network-types.ts';
import { decodeRules, encodeRules, RULE_TYPE_IDS } from './rules-wire.ts';
import { netconfVectors } from './recorded-run.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const rule = (
  type: string,
  fields: Record<string, unknown> = {},
  flags: { not?: boolean; or?: boolean } = {},
) => parseFlowRule({ type, not: flags.not ?? false, or: flags.or ?? false, ...fields }, 'r');

test('the default rule set encodes to 0100, as in the recorded config', () => {
  assert.equal(hex(encodeRules(defaultRules())), '0100');
  assert.equal(netconfVectors().parsedLastSeenOnWire.rulesHex, '0100');
});

// One example per rule type, with the exact bytes stock's serializeRules writes.
const EXAMPLES: [FlowRule, string][] = [
  [rule('ACTION_DROP'), '0000'],
  [rule('ACTION_ACCEPT', {}, { not: true }), '8100'],
  [rule('ACTION_TEE', { address: 'd0246ddebd', flags: 1, length: -1 }), '020e000000d0246ddebd00000001ffff'],
  [rule('ACTION_WATCH', { address: 'd0246ddebd', length: 64 }), '030e000000d0246ddebd000000000040'],
  [rule('ACTION_REDIRECT', { address: '6951fba29a', flags: 2 }), '040e0000006951fba29a000000020000'],
  [rule('ACTION_BREAK'), '0500'],
  [rule('ACTION_PRIORITY', { qosBucket: 3 }), '060103'],
  [rule('MATCH_SOURCE_ZEROTIER_ADDRESS', { zt: 'D0246DDEBD' }, { or: true }), '5805d0246ddebd'],
  [rule('MATCH_DEST_ZEROTIER_ADDRESS', { zt: '6951fba29a' }, { not: true, or: true }), 'd9056951fba29a'],
  [rule('MATCH_VLAN_ID', { vlanId: 4095 }), '1a020fff'],
  [rule('MATCH_VLAN_PCP', { vlanPcp: 5 }), '1b0105'],
  [rule('MATCH_VLAN_DEI', { vlanDei: 1 }), '1c0101'],
  [rule('MATCH_MAC_SOURCE', { mac: '01:23:45:67:89:ab' }), '1d060123456789ab'],
  [rule('MATCH_MAC_DEST', { mac: 'ff-ff-ff-ff-ff-ff' }), '1e06ffffffffffff'],
  [rule('MATCH_IPV4_SOURCE', { ip: '10.147.17.0/24' }), '1f050a93110018'],
  [rule('MATCH_IPV4_DEST', { ip: '10.1.2.3/32' }), '20050a01020320'],
  [rule('MATCH_IPV6_SOURCE', { ip: 'fd00:1234::/64' }), '2111fd00123400000000000000000000000040'],
  [rule('MATCH_IPV6_DEST', { ip: '::ffff:10.0.0.1/128' }), '221100000000000000000000ffff0a00000180'],
  [rule('MATCH_IP_TOS', { mask: 0xfc, start: 8, end: 16 }), '2303fc0810'],
  [rule('MATCH_IP_PROTOCOL', { ipProtocol: 6 }), '240106'],
  [rule('MATCH_ETHERTYPE', { etherType: 0x0800 }), '25020800'],
  [rule('MATCH_ICMP', { icmpType: 8, icmpCode: null }), '2603080000'],
  [rule('MATCH_ICMP', { icmpType: 3, icmpCode: 4 }), '2603030401'],
  [rule('MATCH_IP_SOURCE_PORT_RANGE', { start: 1024, end: 65535 }), '27040400ffff'],
  [rule('MATCH_IP_DEST_PORT_RANGE', { start: 22 }), '280400160016'],
  [rule('MATCH_CHARACTERISTICS', { mask: '1000000000000000' }), '29081000000000000000'],
  [rule('MATCH_FRAME_SIZE_RANGE', { start: 64, end: 1500 }), '2a04004005dc'],
  [rule('MATCH_RANDOM', { probability: 0x7fffffff }), '2b047fffffff'],
  [rule('MATCH_TAGS_DIFFERENCE', { id: 1, value: 2 }), '2c080000000100000002'],
  [rule('MATCH_TAGS_BITWISE_AND', { id: 1, value: 2 }), '2d080000000100000002'],
  [rule('MATCH_TAGS_BITWISE_OR', { id: 1, value: 2 }), '2e080000000100000002'],
  [rule('MATCH_TAGS_BITWISE_XOR', { id: 1, value: 2 }), '2f080000000100000002'],
  [rule('MATCH_TAGS_EQUAL', { id: 7, value: 0xffffffff }), '300800000007ffffffff'],
  [rule('MATCH_TAG_SENDER', { id: 1, value: 2 }), '31080000000100000002'],
  [rule('MATCH_TAG_RECEIVER', { id: 1, value: 2 }), '32080000000100000002'],
  [
    rule('INTEGER_RANGE', { start: '10', end: '20', idx: 12, little: true, bits: 16 }),
    '331300000000000000100000000000000020000c8f',
  ],
];

test('every rule type encodes to the stock bytes and decodes back to its canonical JSON', () => {
  const covered = new Set(EXAMPLES.map(([r]) => r.type));
  assert.deepEqual([...covered].sort(), [...FLOW_RULE_TYPES].sort(), 'an example for every rule type');
  assert.deepEqual(Object.keys(RULE_TYPE_IDS).sort(), [...FLOW_RULE_TYPES].sort());
  for (const [r, expected] of EXAMPLES) {
    const bytes = encodeRules([r]);
    assert.equal(hex(bytes), expected, r.type);
    assert.deepEqual(decodeRules(bytes), [r], r.type);
  }
  // All at once: the concatenation decodes in order.
  const all = encodeRules(EXAMPLES.map(([r]) => r));
  assert.deepEqual(
    decodeRules(all),
    EXAMPLES.map(([r]) => r),
  );
});

test('rules are validated before encoding, so a bad rule cannot slip onto the wire', () => {
  assert.throws(
    () => encodeRules([{ type: 'MATCH_VLAN_ID', not: false, or: false, vlanId: 5000 }]),
    /vlanId/,
  );
  assert.throws(() => encodeRules([{ type: 'NO_SUCH_RULE', not: false, or: false }]), /unknown rule type/);
});

test('unknown rule types are skipped by their length and kept, as clients do; truncation throws', () => {
  const decoded = decodeRules(Buffer.from('3e03aabbcc0100', 'hex'));
  assert.equal(decoded.length, 2);
  assert.deepEqual(decoded[0], { type: 'UNKNOWN_62', not: false, or: false, fieldsHex: 'aabbcc' });
  assert.equal(decoded[1]!.type, 'ACTION_ACCEPT');
  assert.throws(() => decodeRules(Buffer.from('1f050a9311', 'hex')), /truncated/);
  assert.throws(() => decodeRules(Buffer.from('1f030a9311', 'hex')), /rule MATCH_IPV4_SOURCE truncated/);
  // A 1.14 PRIORITY rule carries no field at all.
  assert.deepEqual(decodeRules(Buffer.from('0600', 'hex')), [rule('ACTION_PRIORITY', { qosBucket: 0 })]);
});
