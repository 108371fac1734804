import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFlowRule } from '../../core/network/flow-rules.ts';
import { encodeRules } from './rules-wire.ts';
import {
  capabilitySigningBytes,
  decodeCapabilities,
  encodeCapability,
  issueCapability,
  verifyCapability,
} from './capability-credential.ts';
import { controllerIdentity } from './recorded-run.ts';

const NWID = '6951fba29ad56e51';
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const rules = [
  parseFlowRule({ type: 'MATCH_IP_DEST_PORT_RANGE', start: 22, end: 22 }, 'r'),
  parseFlowRule({ type: 'ACTION_ACCEPT' }, 'r'),
];

test('a capability carries its rules, a one-hop custody chain and the stock framing', () => {
  const controller = controllerIdentity();
  const cap = issueCapability({
    networkId: NWID,
    timestamp: 1000,
    id: 7,
    rules,
    issuedTo: 'd0246ddebd',
    signer: controller,
  });
  const bytes = encodeCapability(cap);
  const ruleBytes = encodeRules(rules);
  const head = `6951fba29ad56e5100000000000003e800000007${'0002'}${hex(ruleBytes)}01`;
  assert.equal(hex(bytes).slice(0, head.length), head);
  const custody = bytes.subarray(head.length / 2);
  assert.equal(hex(custody.subarray(0, 13)), 'd0246ddebd6951fba29a010060');
  assert.equal(hex(custody.subarray(13 + 96)), '00000000000000', 'zero terminator then no extra fields');
  assert.equal(hex(capabilitySigningBytes(cap)), `7f7f7f7f7f7f7f7f${head}00007f7f7f7f7f7f7f7f`);

  const two = decodeCapabilities(new Uint8Array([...bytes, ...bytes]));
  assert.equal(two.length, 2);
  assert.deepEqual(two[0], cap);
  assert.ok(verifyCapability(two[0]!, controller));
  assert.equal(verifyCapability({ ...cap, rules: [rules[1]!] }, controller), false);
  assert.equal(verifyCapability({ ...cap, custody: [] }, controller), false);
});

test('malformed capabilities are refused', () => {
  const controller = controllerIdentity();
  const cap = issueCapability({
    networkId: NWID,
    timestamp: 1,
    id: 1,
    rules,
    issuedTo: 'd0246ddebd',
    signer: controller,
  });
  const bytes = encodeCapability(cap);
  const badChain = bytes.slice();
  badChain[8 + 8 + 4 + 2 + encodeRules(rules).length] = 0; // custody chain length 0
  assert.throws(() => decodeCapabilities(badChain), /custody chain length/);
  assert.throws(() => decodeCapabilities(bytes.subarray(0, bytes.length - 3)), /truncated/);
  const tooMany = Array.from({ length: 65 }, () => rules[1]!);
  assert.throws(() => encodeCapability({ ...cap, rules: tooMany }), /at most 64 rules/);
});

test('a capability holding a rule type we do not know decodes but does not verify', () => {
  const controller = controllerIdentity();
  const cap = issueCapability({
    networkId: NWID,
    timestamp: 1,
    id: 1,
    rules,
    issuedTo: 'd0246ddebd',
    signer: controller,
  });
  const unknown = { ...cap, rules: [{ type: 'UNKNOWN_62', not: false, or: false, fieldsHex: '' }] };
  assert.equal(verifyCapability(unknown, controller), false);
});
