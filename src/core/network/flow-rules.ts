// Flow rules in the stock controller's JSON form (the objects `_parseRule` reads and `_renderRule`
// writes). Stock drops a rule it cannot parse and masks out-of-range numbers; we reject both, since a
// silently missing DROP rule is a security hole.

import { invalidField } from '../errors.ts';
import { familyBits, formatIp, parseIp, type IpFamily } from '../cidr/ip.ts';
import { has, isPlainObject, readBoolean, readInteger, show, type JsonObject } from './json-input.ts';
import { UINT32_MAX } from './limits.ts';
import type { FlowRule } from './network-types.ts';

type FieldReader = (rule: JsonObject, path: string) => JsonObject;

const UINT16_MAX = 0xffff;

function required(rule: JsonObject, key: string, path: string): unknown {
  if (!has(rule, key)) throw invalidField(`${path}.${key}`, `is required for rule type ${show(rule.type)}`);
  return rule[key];
}

function uint(rule: JsonObject, key: string, path: string, max: number, fallback?: number): number {
  if (!has(rule, key) && fallback !== undefined) return fallback;
  return readInteger(required(rule, key, path), `${path}.${key}`, 0, max);
}

function nodeAddress(rule: JsonObject, key: string, path: string): string {
  const value = required(rule, key, path);
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{10}$/.test(value)) {
    throw invalidField(`${path}.${key}`, `expected a 10-hex-digit ZeroTier address, got ${show(value)}`);
  }
  return value.toLowerCase();
}

// Stock strips everything but hex digits from a MAC; we allow the usual separators only.
function macAddress(rule: JsonObject, path: string): string {
  const value = required(rule, 'mac', path);
  const digits = typeof value === 'string' ? value.replace(/[:.-]/g, '') : '';
  if (!/^[0-9a-fA-F]{12}$/.test(digits)) {
    throw invalidField(`${path}.mac`, `expected a MAC address like 01:23:45:67:89:ab, got ${show(value)}`);
  }
  return digits.toLowerCase().replace(/(..)(?!$)/g, '$1:');
}

// Rules mask the packet address, so host bits are harmless here and kept as written (like stock).
function ipWithBits(rule: JsonObject, path: string, family: IpFamily): string {
  const value = required(rule, 'ip', path);
  const field = `${path}.ip`;
  const text = typeof value === 'string' ? value : '';
  const slash = text.indexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  const bitsText = slash === -1 ? '' : text.slice(slash + 1);
  if (ip === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) {
    throw invalidField(field, `expected IPv${family} address/bits, got ${show(value)}`);
  }
  if (ip.family !== family) {
    throw invalidField(
      field,
      `${show(value)} is IPv${ip.family} but rule type ${show(rule.type)} needs IPv${family}`,
    );
  }
  const bits = Number(bitsText);
  if (bits > familyBits(family)) {
    throw invalidField(
      field,
      `${show(value)} has ${bits} bits; IPv${family} allows 0..${familyBits(family)}`,
    );
  }
  return `${formatIp(family, ip.value)}/${bits}`;
}

/** A 64-bit value given as hex text (stock form) or a non-negative safe integer. */
function uint64(rule: JsonObject, key: string, path: string): bigint {
  const value = required(rule, key, path);
  if (typeof value === 'string' && /^(0x)?[0-9a-fA-F]{1,16}$/.test(value))
    return BigInt(`0x${value.replace(/^0x/, '')}`);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw invalidField(
    `${path}.${key}`,
    `expected up to 16 hex digits or a non-negative integer, got ${show(value)}`,
  );
}

function hex64(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

function range(rule: JsonObject, path: string, max: number): JsonObject {
  const start = uint(rule, 'start', path, max);
  const end = uint(rule, 'end', path, max, start);
  if (end < start) throw invalidField(`${path}.end`, `${end} is below start ${start}`);
  return { start, end };
}

function forward(withLength: boolean): FieldReader {
  return (rule, path) => {
    const out: JsonObject = {
      address: nodeAddress(rule, 'address', path),
      flags: uint(rule, 'flags', path, UINT32_MAX, 0),
    };
    if (withLength) {
      // The rule compiler writes -1 for "whole frame"; on the wire that is 0xffff.
      const length = has(rule, 'length') ? readInteger(rule.length, `${path}.length`, -1, UINT16_MAX) : 0;
      out.length = length === -1 ? UINT16_MAX : length;
    }
    return out;
  };
}

const tagMatch: FieldReader = (rule, path) => ({
  id: uint(rule, 'id', path, UINT32_MAX),
  value: uint(rule, 'value', path, UINT32_MAX),
});

const integerRange: FieldReader = (rule, path) => {
  const start = uint64(rule, 'start', path);
  const end = uint64(rule, 'end', path);
  if (end < start) throw invalidField(`${path}.end`, `${show(rule.end)} is below start ${show(rule.start)}`);
  // The wire form stores end as a 32-bit offset from start.
  if (end - start > BigInt(UINT32_MAX)) {
    throw invalidField(
      `${path}.end`,
      `${show(rule.end)} is more than 2^32-1 above start ${show(rule.start)}`,
    );
  }
  return {
    start: hex64(start),
    end: hex64(end),
    idx: uint(rule, 'idx', path, UINT16_MAX, 0),
    little: has(rule, 'little') ? readBoolean(rule.little, `${path}.little`) : false,
    bits: has(rule, 'bits') ? readInteger(rule.bits, `${path}.bits`, 1, 64) : 1,
  };
};

const none: FieldReader = () => ({});

/** Every rule type the stock controller knows, with the fields it reads. */
const READERS: Record<string, FieldReader> = {
  ACTION_DROP: none,
  ACTION_ACCEPT: none,
  ACTION_TEE: forward(true),
  ACTION_WATCH: forward(true),
  ACTION_REDIRECT: forward(false),
  ACTION_BREAK: none,
  // Stock 1.14 has no JSON form for PRIORITY (it drops the rule); we name its field after the C struct.
  ACTION_PRIORITY: (rule, path) => ({ qosBucket: uint(rule, 'qosBucket', path, 0xff, 0) }),
  MATCH_SOURCE_ZEROTIER_ADDRESS: (rule, path) => ({ zt: nodeAddress(rule, 'zt', path) }),
  MATCH_DEST_ZEROTIER_ADDRESS: (rule, path) => ({ zt: nodeAddress(rule, 'zt', path) }),
  MATCH_VLAN_ID: (rule, path) => ({ vlanId: uint(rule, 'vlanId', path, 4095) }),
  MATCH_VLAN_PCP: (rule, path) => ({ vlanPcp: uint(rule, 'vlanPcp', path, 7) }),
  MATCH_VLAN_DEI: (rule, path) => ({ vlanDei: uint(rule, 'vlanDei', path, 1) }),
  MATCH_MAC_SOURCE: (rule, path) => ({ mac: macAddress(rule, path) }),
  MATCH_MAC_DEST: (rule, path) => ({ mac: macAddress(rule, path) }),
  MATCH_IPV4_SOURCE: (rule, path) => ({ ip: ipWithBits(rule, path, 4) }),
  MATCH_IPV4_DEST: (rule, path) => ({ ip: ipWithBits(rule, path, 4) }),
  MATCH_IPV6_SOURCE: (rule, path) => ({ ip: ipWithBits(rule, path, 6) }),
  MATCH_IPV6_DEST: (rule, path) => ({ ip: ipWithBits(rule, path, 6) }),
  MATCH_IP_TOS: (rule, path) => ({ mask: uint(rule, 'mask', path, 0xff), ...range(rule, path, 0xff) }),
  MATCH_IP_PROTOCOL: (rule, path) => ({ ipProtocol: uint(rule, 'ipProtocol', path, 0xff) }),
  MATCH_ETHERTYPE: (rule, path) => ({ etherType: uint(rule, 'etherType', path, UINT16_MAX) }),
  MATCH_ICMP: (rule, path) => ({
    icmpType: uint(rule, 'icmpType', path, 0xff),
    // null (or absent) = any code
    icmpCode: rule.icmpCode === null || !has(rule, 'icmpCode') ? null : uint(rule, 'icmpCode', path, 0xff),
  }),
  MATCH_IP_SOURCE_PORT_RANGE: (rule, path) => range(rule, path, UINT16_MAX),
  MATCH_IP_DEST_PORT_RANGE: (rule, path) => range(rule, path, UINT16_MAX),
  MATCH_CHARACTERISTICS: (rule, path) => ({ mask: hex64(uint64(rule, 'mask', path)) }),
  MATCH_FRAME_SIZE_RANGE: (rule, path) => range(rule, path, UINT16_MAX),
  MATCH_RANDOM: (rule, path) => ({ probability: uint(rule, 'probability', path, UINT32_MAX) }),
  MATCH_TAGS_DIFFERENCE: tagMatch,
  MATCH_TAGS_BITWISE_AND: tagMatch,
  MATCH_TAGS_BITWISE_OR: tagMatch,
  MATCH_TAGS_BITWISE_XOR: tagMatch,
  MATCH_TAGS_EQUAL: tagMatch,
  MATCH_TAG_SENDER: tagMatch,
  MATCH_TAG_RECEIVER: tagMatch,
  MATCH_INTEGER_RANGE: integerRange,
};

/** Stock renders this type without the MATCH_ prefix; we accept that spelling on input. */
const ALIASES: Record<string, string> = { INTEGER_RANGE: 'MATCH_INTEGER_RANGE' };

export const FLOW_RULE_TYPES: readonly string[] = Object.keys(READERS);

function sortedKeys(object: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(object).sort()) out[key] = object[key];
  return out;
}

/**
 * Validates one rule and returns its canonical form: only the fields of its type, numbers in range,
 * addresses lower case, keys in the stock (alphabetical) order. `path` is e.g. `rules[3]`.
 */
export function parseFlowRule(value: unknown, path: string): FlowRule {
  if (!isPlainObject(value)) throw invalidField(path, `expected a rule object, got ${show(value)}`);
  const given = value.type;
  const type = typeof given === 'string' ? (ALIASES[given] ?? given) : undefined;
  const reader = type === undefined ? undefined : READERS[type];
  if (type === undefined || reader === undefined) {
    throw invalidField(
      `${path}.type`,
      `unknown rule type ${show(given)}; expected one of ${FLOW_RULE_TYPES.join(', ')}`,
    );
  }
  const not = has(value, 'not') ? readBoolean(value.not, `${path}.not`) : false;
  const or = has(value, 'or') ? readBoolean(value.or, `${path}.or`) : false;
  return sortedKeys({ ...reader(value, path), not, or, type }) as FlowRule;
}

/** Validates an array of rules; more than `max` is an error naming ZeroTier's limit. */
export function parseFlowRules(value: unknown, path: string, max: number): FlowRule[] {
  if (!Array.isArray(value)) throw invalidField(path, `expected an array of rules, got ${show(value)}`);
  if (value.length > max)
    throw invalidField(path, `${value.length} rules given; ZeroTier allows at most ${max}`);
  return value.map((rule, i) => parseFlowRule(rule, `${path}[${i}]`));
}
