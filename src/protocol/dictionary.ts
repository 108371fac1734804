// ZeroTier's Dictionary (PROTOCOL-NOTES §2.6): `key=value` lines, values are bytes with
// \0 \r \n \\ and \e (for '=') escaped; integers are lower-case hex. Used for network configs
// and the metadata in NETWORK_CONFIG_REQUEST. Entries keep their order so that parse → encode
// reproduces a dictionary byte for byte.

const NUL = 0x00;
const LF = 0x0a;
const CR = 0x0d;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;

const KEY_RE = /^[\x21-\x3c\x3e-\x5b\x5d-\x7e]+$/; // printable ASCII without '=' and '\'
const HEX_RE = /^[0-9a-fA-F]{1,16}$/;
const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');

export class Dictionary {
  private readonly entries: [key: string, value: Uint8Array][] = [];

  /**
   * Reads a dictionary the way ZeroTier does: stops at the first NUL (the terminator), splits
   * lines on \r or \n, skips lines without '=' and unescapes values (an unknown escape yields the
   * character itself). Duplicate keys are kept; `get` returns the first, as ZeroTier does.
   */
  static parse(data: Uint8Array): Dictionary {
    const dict = new Dictionary();
    const end = data.indexOf(NUL) < 0 ? data.length : data.indexOf(NUL);
    let i = 0;
    while (i < end) {
      let lineEnd = i;
      while (lineEnd < end && data[lineEnd] !== LF && data[lineEnd] !== CR) lineEnd++;
      const eq = data.subarray(i, lineEnd).indexOf(EQUALS);
      if (eq > 0) {
        const key = latin1.decode(data.subarray(i, i + eq));
        dict.entries.push([key, unescapeValue(data.subarray(i + eq + 1, lineEnd))]);
      }
      i = lineEnd + 1;
    }
    return dict;
  }

  get size(): number {
    return this.entries.length;
  }

  keys(): string[] {
    return this.entries.map(([key]) => key);
  }

  has(key: string): boolean {
    return this.entries.some(([k]) => k === key);
  }

  /** The raw value bytes of the first entry named `key` (a copy). */
  get(key: string): Uint8Array | undefined {
    return this.entries.find(([k]) => k === key)?.[1].slice();
  }

  /** The value decoded as UTF-8 (names, URLs, `o=linux/x86_64`). */
  getString(key: string): string | undefined {
    const value = this.entries.find(([k]) => k === key)?.[1];
    return value === undefined ? undefined : utf8.decode(value);
  }

  /** A hex integer (ZeroTier writes 16 zero-padded digits, reads any 1–16). Throws when malformed. */
  getUint64(key: string): bigint | undefined {
    const text = this.getString(key);
    if (text === undefined) return undefined;
    if (!HEX_RE.test(text))
      throw new Error(`dictionary value "${key}" is not a hex integer: "${text.slice(0, 40)}"`);
    return BigInt(`0x${text}`);
  }

  /** Like getUint64 for values that must fit a JS number (versions, limits, flags, MTU…). */
  getNumber(key: string): number | undefined {
    const value = this.getUint64(key);
    if (value === undefined) return undefined;
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Error(`dictionary value "${key}" is too large: 0x${value.toString(16)}`);
    return Number(value);
  }

  /** ZeroTier booleans: true iff the value starts with 1, t or T; `fallback` only when absent. */
  getBoolean(key: string, fallback = false): boolean {
    const value = this.entries.find(([k]) => k === key)?.[1];
    if (value === undefined) return fallback;
    const first = value[0];
    return first === 0x31 || first === 0x74 || first === 0x54;
  }

  /** Replaces the first entry named `key` (keeping its position) or appends a new one. */
  set(key: string, value: Uint8Array | string): this {
    if (!KEY_RE.test(key))
      throw new Error(`invalid dictionary key "${key}": printable ASCII without '=' or '\\' only`);
    const bytes = typeof value === 'string' ? utf8Encoder.encode(value) : value.slice();
    const existing = this.entries.find(([k]) => k === key);
    if (existing) existing[1] = bytes;
    else this.entries.push([key, bytes]);
    return this;
  }

  /** 16 lower-case hex digits, zero padded (`Utils::hex(uint64)`), e.g. v=0000000000000007. */
  setUint64(key: string, value: bigint | number): this {
    return this.set(key, hex64(value));
  }

  /** '1' or '0'. */
  setBoolean(key: string, value: boolean): this {
    return this.set(key, value ? '1' : '0');
  }

  delete(key: string): boolean {
    const before = this.entries.length;
    for (let i = this.entries.length - 1; i >= 0; i--)
      if (this.entries[i]![0] === key) this.entries.splice(i, 1);
    return this.entries.length !== before;
  }

  /**
   * The wire form: entries joined by \n, values escaped. Without `terminate` there is no trailing
   * NUL (what travels in a config chunk); with it, the NUL that ZeroTier's buffers end with.
   */
  encode(terminate = false): Uint8Array {
    let length = terminate ? 1 : 0;
    for (const [key, value] of this.entries) length += key.length + 2 + escapedLength(value);
    if (this.entries.length > 0) length -= 1; // no newline after the last entry
    const out = new Uint8Array(length);
    let o = 0;
    for (let index = 0; index < this.entries.length; index++) {
      const [key, value] = this.entries[index]!;
      if (index > 0) out[o++] = LF;
      for (let i = 0; i < key.length; i++) out[o++] = key.charCodeAt(i);
      out[o++] = EQUALS;
      for (let i = 0; i < value.length; i++) {
        const b = value[i]!;
        const escaped = ESCAPE_TABLE[b]!;
        if (escaped === 0) out[o++] = b;
        else {
          out[o++] = BACKSLASH;
          out[o++] = escaped;
        }
      }
    }
    if (terminate) out[o] = NUL;
    return out;
  }
}

/** Zero-padded 16-digit lower-case hex of an unsigned 64-bit value. */
export function hex64(value: bigint | number): string {
  const n = typeof value === 'bigint' ? value : BigInt(value);
  if ((typeof value === 'number' && !Number.isSafeInteger(value)) || n < 0n || n > 0xffffffffffffffffn) {
    throw new RangeError(`not an unsigned 64-bit integer: ${String(value)}`);
  }
  return n.toString(16).padStart(16, '0');
}

// byte → the character written after the backslash
const ESCAPES = new Map<number, number>([
  [NUL, 0x30], // '0'
  [CR, 0x72], // 'r'
  [LF, 0x6e], // 'n'
  [BACKSLASH, BACKSLASH],
  [EQUALS, 0x65], // 'e'
]);
const UNESCAPES = new Map<number, number>([...ESCAPES].map(([raw, code]) => [code, raw]));
/** ESCAPES as a table (0: written as is): configs carry kilobytes of binary credentials. */
const ESCAPE_TABLE = new Uint8Array(256);
for (const [raw, code] of ESCAPES) ESCAPE_TABLE[raw] = code;

function escapedLength(value: Uint8Array): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) if (ESCAPE_TABLE[value[i]!] !== 0) n++;
  return n;
}

function unescapeValue(raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(raw.length);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== BACKSLASH) out[o++] = b;
    else if (i + 1 < raw.length) {
      const c = raw[++i]!;
      out[o++] = UNESCAPES.get(c) ?? c;
    } // a trailing lone backslash escapes nothing and is dropped
  }
  return out.slice(0, o);
}
