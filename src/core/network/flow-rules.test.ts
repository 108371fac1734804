import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, isRpError } from '../errors.ts';
import { FLOW_RULE_TYPES, parseFlowRule, parseFlowRules } from './flow-rules.ts';

function rejects(rule: unknown, field: string, ...fragments: string[]): void {
  assert.throws(
    () => parseFlowRule(rule, 'rules[4]'),
    (e) => {
      assert.ok(isRpError(e), String(e));
      assert.equal(e.code, ErrorCodes.INVALID_INPUT);
      assert.equal(e.field, field);
      assert.ok(e.message.startsWith(`${field}: `), e.message);
      for (const fragment of fragments)
        assert.ok(e.message.includes(fragment), `${e.message} lacks ${fragment}`);
      return true;
    },
  );
}

// [input, canonical output] for every type; outputs use the stock field names and alphabetical keys.
const CASES: [Record<string, unknown>, Record<string, unknown>][] = [
  [{ type: 'ACTION_DROP' }, { not: false, or: false, type: 'ACTION_DROP' }],
  [
    { type: 'ACTION_ACCEPT', not: false, or: false },
    { not: false, or: false, type: 'ACTION_ACCEPT' },
  ],
  [{ type: 'ACTION_BREAK' }, { not: false, or: false, type: 'ACTION_BREAK' }],
  [
    { type: 'ACTION_TEE', address: 'ABCDEF0123', length: -1 },
    { address: 'abcdef0123', flags: 0, length: 65535, not: false, or: false, type: 'ACTION_TEE' },
  ],
  [
    { type: 'ACTION_WATCH', address: 'abcdef0123', flags: 7, length: 128 },
    { address: 'abcdef0123', flags: 7, length: 128, not: false, or: false, type: 'ACTION_WATCH' },
  ],
  [
    { type: 'ACTION_REDIRECT', address: 'abcdef0123' },
    { address: 'abcdef0123', flags: 0, not: false, or: false, type: 'ACTION_REDIRECT' },
  ],
  [
    { type: 'ACTION_PRIORITY', qosBucket: 3 },
    { not: false, or: false, qosBucket: 3, type: 'ACTION_PRIORITY' },
  ],
  [
    { type: 'MATCH_SOURCE_ZEROTIER_ADDRESS', zt: '43E690E007', not: true },
    { not: true, or: false, type: 'MATCH_SOURCE_ZEROTIER_ADDRESS', zt: '43e690e007' },
  ],
  [
    { type: 'MATCH_DEST_ZEROTIER_ADDRESS', zt: '43e690e007', or: true },
    { not: false, or: true, type: 'MATCH_DEST_ZEROTIER_ADDRESS', zt: '43e690e007' },
  ],
  [
    { type: 'MATCH_VLAN_ID', vlanId: 100 },
    { not: false, or: false, type: 'MATCH_VLAN_ID', vlanId: 100 },
  ],
  [
    { type: 'MATCH_VLAN_PCP', vlanPcp: 7 },
    { not: false, or: false, type: 'MATCH_VLAN_PCP', vlanPcp: 7 },
  ],
  [
    { type: 'MATCH_VLAN_DEI', vlanDei: 1 },
    { not: false, or: false, type: 'MATCH_VLAN_DEI', vlanDei: 1 },
  ],
  [
    { type: 'MATCH_MAC_SOURCE', mac: '42-38-7C-B4-99-09' },
    { mac: '42:38:7c:b4:99:09', not: false, or: false, type: 'MATCH_MAC_SOURCE' },
  ],
  [
    { type: 'MATCH_MAC_DEST', mac: '42387cb49909' },
    { mac: '42:38:7c:b4:99:09', not: false, or: false, type: 'MATCH_MAC_DEST' },
  ],
  [
    { type: 'MATCH_IPV4_SOURCE', ip: '10.147.17.45/32' },
    { ip: '10.147.17.45/32', not: false, or: false, type: 'MATCH_IPV4_SOURCE' },
  ],
  [
    { type: 'MATCH_IPV4_DEST', ip: '10.1.2.3/8' }, // host bits are kept: the rule masks the packet address
    { ip: '10.1.2.3/8', not: false, or: false, type: 'MATCH_IPV4_DEST' },
  ],
  [
    { type: 'MATCH_IPV6_SOURCE', ip: 'FD00:1234:0:0::/64' },
    { ip: 'fd00:1234::/64', not: false, or: false, type: 'MATCH_IPV6_SOURCE' },
  ],
  [
    { type: 'MATCH_IPV6_DEST', ip: '::/0' },
    { ip: '::/0', not: false, or: false, type: 'MATCH_IPV6_DEST' },
  ],
  [
    { type: 'MATCH_IP_TOS', mask: 252, start: 8, end: 16 },
    { end: 16, mask: 252, not: false, or: false, start: 8, type: 'MATCH_IP_TOS' },
  ],
  [
    { type: 'MATCH_IP_PROTOCOL', ipProtocol: 6 },
    { ipProtocol: 6, not: false, or: false, type: 'MATCH_IP_PROTOCOL' },
  ],
  [
    { type: 'MATCH_ETHERTYPE', etherType: 2048 },
    { etherType: 2048, not: false, or: false, type: 'MATCH_ETHERTYPE' },
  ],
  [
    { type: 'MATCH_ICMP', icmpType: 8, icmpCode: null },
    { icmpCode: null, icmpType: 8, not: false, or: false, type: 'MATCH_ICMP' },
  ],
  [
    { type: 'MATCH_ICMP', icmpType: 3, icmpCode: 4 },
    { icmpCode: 4, icmpType: 3, not: false, or: false, type: 'MATCH_ICMP' },
  ],
  [
    { type: 'MATCH_IP_SOURCE_PORT_RANGE', start: 1024, end: 2048 },
    { end: 2048, not: false, or: false, start: 1024, type: 'MATCH_IP_SOURCE_PORT_RANGE' },
  ],
  [
    { type: 'MATCH_IP_DEST_PORT_RANGE', start: 22 }, // end defaults to start, as stock
    { end: 22, not: false, or: false, start: 22, type: 'MATCH_IP_DEST_PORT_RANGE' },
  ],
  [
    { type: 'MATCH_CHARACTERISTICS', mask: '8000000000000002' },
    { mask: '8000000000000002', not: false, or: false, type: 'MATCH_CHARACTERISTICS' },
  ],
  [
    { type: 'MATCH_CHARACTERISTICS', mask: 5 },
    { mask: '0000000000000005', not: false, or: false, type: 'MATCH_CHARACTERISTICS' },
  ],
  [
    { type: 'MATCH_FRAME_SIZE_RANGE', start: 0, end: 1500 },
    { end: 1500, not: false, or: false, start: 0, type: 'MATCH_FRAME_SIZE_RANGE' },
  ],
  [
    { type: 'MATCH_RANDOM', probability: 2147483647 },
    { not: false, or: false, probability: 2147483647, type: 'MATCH_RANDOM' },
  ],
  ...[
    'MATCH_TAGS_DIFFERENCE',
    'MATCH_TAGS_BITWISE_AND',
    'MATCH_TAGS_BITWISE_OR',
    'MATCH_TAGS_BITWISE_XOR',
    'MATCH_TAGS_EQUAL',
    'MATCH_TAG_SENDER',
    'MATCH_TAG_RECEIVER',
  ].map((type): [Record<string, unknown>, Record<string, unknown>] => [
    { type, id: 1000, value: 4294967295 },
    { id: 1000, not: false, or: false, type, value: 4294967295 },
  ]),
  [
    { type: 'MATCH_INTEGER_RANGE', start: 10, end: 20, idx: 14, little: true, bits: 16 },
    {
      bits: 16,
      end: '0000000000000014',
      idx: 14,
      little: true,
      not: false,
      or: false,
      start: '000000000000000a',
      type: 'MATCH_INTEGER_RANGE',
    },
  ],
  [
    { type: 'INTEGER_RANGE', start: '00000000000000ff', end: '0000000000000100' }, // the stock rendered spelling
    {
      bits: 1,
      end: '0000000000000100',
      idx: 0,
      little: false,
      not: false,
      or: false,
      start: '00000000000000ff',
      type: 'MATCH_INTEGER_RANGE',
    },
  ],
];

describe('parseFlowRule', () => {
  test('covers every stock rule type', () => {
    const covered = new Set(CASES.map(([, out]) => out.type));
    assert.deepEqual([...covered].sort(), [...FLOW_RULE_TYPES].sort());
    assert.equal(FLOW_RULE_TYPES.length, 35);
  });

  for (const [input, expected] of CASES) {
    test(`canonicalises ${JSON.stringify(input)}`, () => {
      const out = parseFlowRule(input, 'rules[0]');
      assert.deepEqual(out, expected);
      assert.deepEqual(Object.keys(out), Object.keys(out).sort());
      assert.deepEqual(parseFlowRule(out, 'rules[0]'), out, 'canonical form is a fixed point');
    });
  }

  test('drops fields the type does not use', () => {
    assert.deepEqual(parseFlowRule({ type: 'ACTION_DROP', zt: 'x', extra: 1 }, 'rules[0]'), {
      not: false,
      or: false,
      type: 'ACTION_DROP',
    });
  });

  test('rejects unknown types and malformed rules, naming the field and value', () => {
    rejects({ type: 'ACTION_EXPLODE' }, 'rules[4].type', '"ACTION_EXPLODE"', 'ACTION_ACCEPT');
    rejects({}, 'rules[4].type', 'undefined');
    rejects('ACTION_DROP', 'rules[4]', '"ACTION_DROP"');
    rejects({ type: 'ACTION_DROP', not: 'yes' }, 'rules[4].not', '"yes"');
    rejects({ type: 'ACTION_TEE' }, 'rules[4].address', 'required');
    rejects({ type: 'ACTION_TEE', address: 'abc' }, 'rules[4].address', '"abc"');
    rejects({ type: 'ACTION_TEE', address: 'abcdef0123', length: 70000 }, 'rules[4].length', '70000');
    rejects({ type: 'MATCH_VLAN_ID', vlanId: 4096 }, 'rules[4].vlanId', '4096');
    rejects({ type: 'MATCH_VLAN_PCP', vlanPcp: 1.5 }, 'rules[4].vlanPcp', '1.5');
    rejects({ type: 'MATCH_MAC_SOURCE', mac: '42:38:7c:b4:99' }, 'rules[4].mac', '"42:38:7c:b4:99"');
    rejects({ type: 'MATCH_IPV4_SOURCE', ip: '10.0.0.1' }, 'rules[4].ip', '"10.0.0.1"');
    rejects({ type: 'MATCH_IPV4_SOURCE', ip: 'fd00::/8' }, 'rules[4].ip', '"fd00::/8" is IPv6', 'needs IPv4');
    rejects({ type: 'MATCH_IPV6_DEST', ip: '10.0.0.0/8' }, 'rules[4].ip', 'is IPv4', 'needs IPv6');
    rejects({ type: 'MATCH_IPV4_DEST', ip: '10.0.0.0/33' }, 'rules[4].ip', '33 bits');
    rejects({ type: 'MATCH_IP_PROTOCOL', ipProtocol: '6' }, 'rules[4].ipProtocol', '"6"');
    rejects({ type: 'MATCH_IP_DEST_PORT_RANGE', start: 100, end: 10 }, 'rules[4].end', '10', '100');
    rejects({ type: 'MATCH_ICMP', icmpType: 8, icmpCode: 256 }, 'rules[4].icmpCode', '256');
    rejects({ type: 'MATCH_CHARACTERISTICS', mask: 'xyz' }, 'rules[4].mask', '"xyz"');
    rejects({ type: 'MATCH_TAGS_EQUAL', id: 1, value: -1 }, 'rules[4].value', '-1');
    rejects({ type: 'MATCH_INTEGER_RANGE', start: 0, end: 0x100000000 }, 'rules[4].end', 'more than 2^32-1');
    rejects({ type: 'MATCH_INTEGER_RANGE', start: 0, end: 1, bits: 65 }, 'rules[4].bits', '65');
  });

  test('parseFlowRules enforces an array and the count limit', () => {
    assert.throws(
      () => parseFlowRules({}, 'rules', 2),
      (e) => isRpError(e) && e.field === 'rules',
    );
    assert.throws(
      () => parseFlowRules(Array(3).fill({ type: 'ACTION_DROP' }), 'rules', 2),
      (e) => isRpError(e) && e.message.includes('3 rules') && e.message.includes('at most 2'),
    );
    assert.throws(
      () => parseFlowRules([{ type: 'ACTION_DROP' }, { type: 'NOPE' }], 'rules', 10),
      (e) => isRpError(e) && e.field === 'rules[1].type',
    );
  });
});
