// Just enough CIDR arithmetic for the dashboard: parse IPv4/IPv6 prefixes and addresses and test
// containment (a failover may send a prefix as its two halves; both belong to the prefix).

export interface Cidr {
  family: 4 | 6;
  /** The address as a number of 32 or 128 bits. */
  value: bigint;
  length: number;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  // An embedded IPv4 tail (::ffff:10.0.0.1) counts as two groups.
  const last = (halves.length === 2 ? tail : head).at(-1);
  if (last?.includes('.')) {
    const v4 = parseV4(last);
    if (v4 === undefined) return undefined;
    const list = halves.length === 2 ? tail : head;
    list.splice(-1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
}

export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (text.includes(':')) {
    const value = parseV6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseV4(text);
  return value === undefined ? undefined : { family: 4, value };
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash === -1) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > (ip.family === 4 ? 32 : 128)) return undefined;
  return { ...ip, length };
}

/** Whether `inner` (a prefix or an address) lies inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = inner.includes('/')
    ? parseCidr(inner)
    : (() => {
        const ip = parseIp(inner);
        return ip && { ...ip, length: ip.family === 4 ? 32 : 128 };
      })();
  if (!a || !b || a.family !== b.family || b.length < a.length) return false;
  const bits = BigInt((a.family === 4 ? 32 : 128) - a.length);
  return a.value >> bits === b.value >> bits;
}
