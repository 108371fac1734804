// Strict IP address text <-> bigint. Strict on purpose: what we store and send to members must have
// one meaning, so no octal-looking quads, zones, brackets or prefixes are accepted here.

export type IpFamily = 4 | 6;

export interface ParsedIp {
  family: IpFamily;
  value: bigint;
}

/** Number of address bits of a family. */
export function familyBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** Largest address value of a family (all ones). */
export function familyMax(family: IpFamily): bigint {
  return (1n << BigInt(familyBits(family))) - 1n;
}

// 0..255 written without leading zeros ("010" could mean octal to some parsers).
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
const HEX_GROUP_RE = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): bigint | undefined {
  if (!IPV4_RE.test(text)) return undefined;
  let value = 0n;
  for (const part of text.split('.')) value = (value << 8n) | BigInt(Number(part));
  return value;
}

/** Parses the groups on one side of `::` into 16-bit words; a dotted quad may end the address. */
function parseGroups(part: string, mayEndWithQuad: boolean): number[] | undefined {
  if (part === '') return [];
  const groups = part.split(':');
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] ?? '';
    if (mayEndWithQuad && i === groups.length - 1 && group.includes('.')) {
      const quad = parseIpv4(group);
      if (quad === undefined) return undefined;
      words.push(Number(quad >> 16n), Number(quad & 0xffffn));
    } else if (HEX_GROUP_RE.test(group)) {
      words.push(parseInt(group, 16));
    } else {
      return undefined;
    }
  }
  return words;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) return undefined;
  let words: number[];
  if (gap === -1) {
    const all = parseGroups(text, true);
    if (all === undefined || all.length !== 8) return undefined;
    words = all;
  } else {
    const head = parseGroups(text.slice(0, gap), false);
    const tail = parseGroups(text.slice(gap + 2), true);
    if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  let value = 0n;
  for (const word of words) value = (value << 16n) | BigInt(word);
  return value;
}

/** Parses a plain IPv4 or IPv6 address (no zone, no brackets, no `/bits`). */
export function parseIp(text: string): ParsedIp | undefined {
  if (typeof text !== 'string') return undefined;
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
function formatIpv6(value: bigint): string {
  const words: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) words.push(Number((value >> shift) & 0xffffn));
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 §5), as inet_ntop prints them.
  if (value >> 32n === 0xffffn) return `::ffff:${formatIpv4(value & 0xffffffffn)}`;
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never compressed
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart === -1) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

/** Canonical text of an address value (the value must fit the family). */
export function formatIp(family: IpFamily, value: bigint): string {
  if (value < 0n || value > familyMax(family)) {
    throw new RangeError(`value ${value} does not fit an IPv${family} address`);
  }
  return family === 4 ? formatIpv4(value) : formatIpv6(value);
}

/** The canonical text of `text`, or undefined when it is not a plain IP address. */
export function canonicalIp(text: string): string | undefined {
  const parsed = parseIp(text);
  return parsed === undefined ? undefined : formatIp(parsed.family, parsed.value);
}
