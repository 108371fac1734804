// Flow rules in their binary form (the netconf `R` key and capabilities): per rule
// `<1 type | 0x80 NOT | 0x40 OR><1 field length><fields>`, integers big-endian. The length lets a
// client skip rule types it does not know, so the decoder does the same.
import { formatIp, parseIp } from '../../core/cidr/ip.ts';
import { parseFlowRule } from '../../core/network/flow-rules.ts';
import type { FlowRule } from '../../core/network/network-types.ts';
import { hex64 } from '../dictionary.ts';
import { ipBytes, WireReader, WireWriter } from './wire-buffer.ts';

export const RULE_FLAG_NOT = 0x80;
export const RULE_FLAG_OR = 0x40;
const RULE_TYPE_MASK = 0x3f;

/** Wire ids of the rule types (ZT_NETWORK_RULE_* in ZeroTierOne.h). */
export const RULE_TYPE_IDS: Readonly<Record<string, number>> = {
  ACTION_DROP: 0,
  ACTION_ACCEPT: 1,
  ACTION_TEE: 2,
  ACTION_WATCH: 3,
  ACTION_REDIRECT: 4,
  ACTION_BREAK: 5,
  ACTION_PRIORITY: 6,
  MATCH_SOURCE_ZEROTIER_ADDRESS: 24,
  MATCH_DEST_ZEROTIER_ADDRESS: 25,
  MATCH_VLAN_ID: 26,
  MATCH_VLAN_PCP: 27,
  MATCH_VLAN_DEI: 28,
  MATCH_MAC_SOURCE: 29,
  MATCH_MAC_DEST: 30,
  MATCH_IPV4_SOURCE: 31,
  MATCH_IPV4_DEST: 32,
  MATCH_IPV6_SOURCE: 33,
  MATCH_IPV6_DEST: 34,
  MATCH_IP_TOS: 35,
  MATCH_IP_PROTOCOL: 36,
  MATCH_ETHERTYPE: 37,
  MATCH_ICMP: 38,
  MATCH_IP_SOURCE_PORT_RANGE: 39,
  MATCH_IP_DEST_PORT_RANGE: 40,
  MATCH_CHARACTERISTICS: 41,
  MATCH_FRAME_SIZE_RANGE: 42,
  MATCH_RANDOM: 43,
  MATCH_TAGS_DIFFERENCE: 44,
  MATCH_TAGS_BITWISE_AND: 45,
  MATCH_TAGS_BITWISE_OR: 46,
  MATCH_TAGS_BITWISE_XOR: 47,
  MATCH_TAGS_EQUAL: 48,
  MATCH_TAG_SENDER: 49,
  MATCH_TAG_RECEIVER: 50,
  MATCH_INTEGER_RANGE: 51,
};
const RULE_TYPE_NAMES = new Map(Object.entries(RULE_TYPE_IDS).map(([name, id]) => [id, name]));

type Fields = Record<string, unknown>;
interface RuleCodec {
  encode(w: WireWriter, f: Fields): void;
  decode(r: WireReader): Fields;
}

// Canonical rules (parseFlowRule) carry exactly these fields with checked ranges.
const n = (f: Fields, key: string): number => f[key] as number;
const s = (f: Fields, key: string): string => f[key] as string;

const none: RuleCodec = { encode: () => undefined, decode: () => ({}) };

function forward(withLength: boolean): RuleCodec {
  return {
    encode(w, f) {
      w.u64(BigInt(`0x${s(f, 'address')}`))
        .u32(n(f, 'flags'))
        .u16(withLength ? n(f, 'length') : 0);
    },
    decode(r) {
      const address = (r.u64('forward address') & 0xffffffffffn).toString(16).padStart(10, '0');
      const flags = r.u32('forward flags');
      const length = r.u16('forward length'); // always present; REDIRECT leaves it 0
      return withLength ? { address, flags, length } : { address, flags };
    },
  };
}

const ztAddress: RuleCodec = {
  encode: (w, f) => void w.address(s(f, 'zt')),
  decode: (r) => ({ zt: r.address('ZeroTier address') }),
};

function uint8(key: string): RuleCodec {
  return { encode: (w, f) => void w.u8(n(f, key)), decode: (r) => ({ [key]: r.u8(key) }) };
}

function uint16(key: string): RuleCodec {
  return { encode: (w, f) => void w.u16(n(f, key)), decode: (r) => ({ [key]: r.u16(key) }) };
}

const mac: RuleCodec = {
  encode: (w, f) => void w.bytes(Uint8Array.from(Buffer.from(s(f, 'mac').replace(/:/g, ''), 'hex'))),
  decode: (r) => ({ mac: [...r.bytes(6, 'MAC')].map((b) => b.toString(16).padStart(2, '0')).join(':') }),
};

function ipWithBits(family: 4 | 6): RuleCodec {
  const size = family === 4 ? 4 : 16;
  return {
    encode(w, f) {
      const text = s(f, 'ip');
      const slash = text.indexOf('/');
      const ip = parseIp(text.slice(0, slash));
      if (ip === undefined || ip.family !== family)
        throw new Error(`not an IPv${family} rule address: "${text}"`);
      w.bytes(ipBytes(ip.value, size)).u8(Number(text.slice(slash + 1)));
    },
    decode(r) {
      let value = 0n;
      for (const b of r.bytes(size, 'IP')) value = (value << 8n) | BigInt(b);
      return { ip: `${formatIp(family, value)}/${r.u8('IP mask bits')}` };
    },
  };
}

function range16(): RuleCodec {
  return {
    encode: (w, f) => void w.u16(n(f, 'start')).u16(n(f, 'end')),
    decode: (r) => ({ start: r.u16('range start'), end: r.u16('range end') }),
  };
}

const tag: RuleCodec = {
  encode: (w, f) => void w.u32(n(f, 'id')).u32(n(f, 'value')),
  decode: (r) => ({ id: r.u32('tag id'), value: r.u32('tag value') }),
};

const CODECS: Record<string, { length: number; codec: RuleCodec }> = {
  ACTION_DROP: { length: 0, codec: none },
  ACTION_ACCEPT: { length: 0, codec: none },
  ACTION_TEE: { length: 14, codec: forward(true) },
  ACTION_WATCH: { length: 14, codec: forward(true) },
  ACTION_REDIRECT: { length: 14, codec: forward(false) },
  ACTION_BREAK: { length: 0, codec: none },
  // 1.14 has no wire field for PRIORITY (it writes length 0); we keep the bucket in one byte,
  // which 1.14 clients skip thanks to the length.
  ACTION_PRIORITY: { length: 1, codec: uint8('qosBucket') },
  MATCH_SOURCE_ZEROTIER_ADDRESS: { length: 5, codec: ztAddress },
  MATCH_DEST_ZEROTIER_ADDRESS: { length: 5, codec: ztAddress },
  MATCH_VLAN_ID: { length: 2, codec: uint16('vlanId') },
  MATCH_VLAN_PCP: { length: 1, codec: uint8('vlanPcp') },
  MATCH_VLAN_DEI: { length: 1, codec: uint8('vlanDei') },
  MATCH_MAC_SOURCE: { length: 6, codec: mac },
  MATCH_MAC_DEST: { length: 6, codec: mac },
  MATCH_IPV4_SOURCE: { length: 5, codec: ipWithBits(4) },
  MATCH_IPV4_DEST: { length: 5, codec: ipWithBits(4) },
  MATCH_IPV6_SOURCE: { length: 17, codec: ipWithBits(6) },
  MATCH_IPV6_DEST: { length: 17, codec: ipWithBits(6) },
  MATCH_IP_TOS: {
    length: 3,
    codec: {
      encode: (w, f) => void w.u8(n(f, 'mask')).u8(n(f, 'start')).u8(n(f, 'end')),
      decode: (r) => ({ mask: r.u8('TOS mask'), start: r.u8('TOS start'), end: r.u8('TOS end') }),
    },
  },
  MATCH_IP_PROTOCOL: { length: 1, codec: uint8('ipProtocol') },
  MATCH_ETHERTYPE: { length: 2, codec: uint16('etherType') },
  MATCH_ICMP: {
    length: 3,
    codec: {
      // flags bit 0 says whether the code matters (null code = any)
      encode(w, f) {
        const code = f.icmpCode as number | null;
        w.u8(n(f, 'icmpType'))
          .u8(code ?? 0)
          .u8(code === null ? 0 : 1);
      },
      decode(r) {
        const icmpType = r.u8('ICMP type');
        const code = r.u8('ICMP code');
        const flags = r.u8('ICMP flags');
        return { icmpType, icmpCode: (flags & 0x01) !== 0 ? code : null };
      },
    },
  },
  MATCH_IP_SOURCE_PORT_RANGE: { length: 4, codec: range16() },
  MATCH_IP_DEST_PORT_RANGE: { length: 4, codec: range16() },
  MATCH_CHARACTERISTICS: {
    length: 8,
    codec: {
      encode: (w, f) => void w.u64(BigInt(`0x${s(f, 'mask')}`)),
      decode: (r) => ({ mask: hex64(r.u64('characteristics')) }),
    },
  },
  MATCH_FRAME_SIZE_RANGE: { length: 4, codec: range16() },
  MATCH_RANDOM: {
    length: 4,
    codec: {
      encode: (w, f) => void w.u32(n(f, 'probability')),
      decode: (r) => ({ probability: r.u32('probability') }),
    },
  },
  MATCH_TAGS_DIFFERENCE: { length: 8, codec: tag },
  MATCH_TAGS_BITWISE_AND: { length: 8, codec: tag },
  MATCH_TAGS_BITWISE_OR: { length: 8, codec: tag },
  MATCH_TAGS_BITWISE_XOR: { length: 8, codec: tag },
  MATCH_TAGS_EQUAL: { length: 8, codec: tag },
  MATCH_TAG_SENDER: { length: 8, codec: tag },
  MATCH_TAG_RECEIVER: { length: 8, codec: tag },
  MATCH_INTEGER_RANGE: {
    length: 19,
    codec: {
      // <8 start><8 absolute end><2 idx><1 format: 0x80 little endian | (bits - 1)>
      encode(w, f) {
        const format = (f.little === true ? 0x80 : 0) | ((n(f, 'bits') - 1) & 63);
        w.u64(BigInt(`0x${s(f, 'start')}`))
          .u64(BigInt(`0x${s(f, 'end')}`))
          .u16(n(f, 'idx'))
          .u8(format);
      },
      decode(r) {
        const start = r.u64('range start');
        // clients keep end as a 32-bit offset from start
        const end = BigInt.asUintN(64, start + BigInt.asUintN(32, r.u64('range end') - start));
        const idx = r.u16('range idx');
        const format = r.u8('range format');
        return {
          start: hex64(start),
          end: hex64(end),
          idx,
          little: (format & 0x80) !== 0,
          bits: (format & 63) + 1,
        };
      },
    },
  },
};

/** One rule, validated and canonicalised first (so stock JSON spellings are accepted). */
export function encodeRule(rule: FlowRule, w: WireWriter = new WireWriter()): WireWriter {
  const canonical = parseFlowRule(rule, 'rule');
  const { length, codec } = CODECS[canonical.type]!;
  const id = RULE_TYPE_IDS[canonical.type]!;
  w.u8(id | (canonical.not ? RULE_FLAG_NOT : 0) | (canonical.or ? RULE_FLAG_OR : 0)).u8(length);
  const before = w.size;
  codec.encode(w, canonical);
  if (w.size - before !== length) throw new Error(`rule ${canonical.type} encoded to the wrong length`);
  return w;
}

/** The concatenated binary rules (what the `R` key and a capability carry). */
export function encodeRules(rules: readonly FlowRule[], w: WireWriter = new WireWriter()): Uint8Array {
  for (const rule of rules) encodeRule(rule, w);
  return w.finish();
}

/** The decoded form of a rule type this code does not know: kept, as clients keep it. */
export interface UnknownRule extends FlowRule {
  type: `UNKNOWN_${number}`;
  fieldsHex: string;
}

/**
 * Reads `count` rules (or until the data ends) from `r` into the canonical JSON form that
 * parseFlowRule produces (keys sorted). Throws when a rule's fields are truncated.
 */
export function readRules(r: WireReader, count = Infinity): FlowRule[] {
  const rules: FlowRule[] = [];
  while (rules.length < count && r.remaining > 0) {
    const t = r.u8('rule type');
    const fieldLength = r.u8('rule field length');
    const fields = r.bytes(fieldLength, 'rule fields');
    const not = (t & RULE_FLAG_NOT) !== 0;
    const or = (t & RULE_FLAG_OR) !== 0;
    const name = RULE_TYPE_NAMES.get(t & RULE_TYPE_MASK);
    const entry = name === undefined ? undefined : CODECS[name];
    if (name === undefined || entry === undefined) {
      rules.push({
        type: `UNKNOWN_${t & RULE_TYPE_MASK}`,
        not,
        or,
        fieldsHex: Buffer.from(fields).toString('hex'),
      });
      continue;
    }
    // A 1.14 PRIORITY rule has no field; anything shorter than expected elsewhere is corrupt.
    const decoded =
      name === 'ACTION_PRIORITY' && fieldLength === 0
        ? { qosBucket: 0 }
        : entry.codec.decode(new WireReader(fields, 0, `rule ${name}`));
    rules.push(sortKeys({ ...decoded, not, or, type: name }));
  }
  return rules;
}

/** Decodes a whole `R` value. */
export function decodeRules(data: Uint8Array): FlowRule[] {
  return readRules(new WireReader(data, 0, 'rules'));
}

function sortKeys(rule: Fields & { type: string; not: boolean; or: boolean }): FlowRule {
  const out: Fields = {};
  for (const key of Object.keys(rule).sort()) out[key] = rule[key];
  return out as FlowRule;
}
