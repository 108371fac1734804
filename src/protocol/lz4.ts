// LZ4 block-format decompression (members compress NETWORK_CONFIG_REQUEST and friends). Input
// comes from the network, so every length is checked before it is used: malformed data throws
// Lz4Error, and nothing is ever read or written outside the buffers.

export class Lz4Error extends Error {
  constructor(message: string) {
    super(`LZ4: ${message}`);
    this.name = 'Lz4Error';
  }
}

const MIN_MATCH = 4;
/** Scratch kept between calls up to this size (a packet is at most 16 KB); larger grow per call. */
const MAX_SCRATCH = 64 * 1024;
let scratch: Uint8Array = new Uint8Array(4096);

/**
 * Decompresses one LZ4 block into at most `maxOutput` bytes. Throws Lz4Error for empty,
 * truncated or corrupt input, a match reaching before the start of the output, or output that
 * would exceed `maxOutput`. Work is bounded by `input.length + maxOutput`.
 */
export function lz4DecompressBlock(input: Uint8Array, maxOutput: number): Uint8Array {
  if (!Number.isSafeInteger(maxOutput) || maxOutput < 0)
    throw new Lz4Error(`invalid output limit ${maxOutput}`);
  const end = input.length;
  if (end === 0) throw new Lz4Error('empty input');
  // Written into a reused scratch buffer (grown on demand, never past the limit) and copied out at
  // its final size. No closures: positions captured by one would live on the heap, not in registers.
  let out = scratch;
  /** Bytes writable before growing or hitting the limit. */
  let cap = Math.min(out.length, maxOutput);
  let op = 0;
  let ip = 0;

  for (;;) {
    const token = input[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      literals = extendedLength(input, ip, 15, maxOutput, 'literal');
      ip += lengthBytes(literals, 15);
    }
    if (literals > end - ip)
      throw new Lz4Error(`literal run of ${literals} bytes passes the end of the input`);
    if (op + literals > cap) {
      out = grow(out, op, op + literals, maxOutput);
      cap = Math.min(out.length, maxOutput);
    }
    out.set(input.subarray(ip, ip + literals), op);
    ip += literals;
    op += literals;
    if (ip === end) break; // the last sequence has literals only

    if (end - ip < 2) throw new Lz4Error('truncated match offset');
    const offset = input[ip]! | (input[ip + 1]! << 8);
    ip += 2;
    if (offset === 0) throw new Lz4Error('match offset 0');
    if (offset > op)
      throw new Lz4Error(`match offset ${offset} reaches before the start of the output (${op} bytes)`);
    let matchLength = token & 15;
    if (matchLength === 15) {
      matchLength = extendedLength(input, ip, 15, maxOutput, 'match');
      ip += lengthBytes(matchLength, 15);
    }
    matchLength += MIN_MATCH;
    if (op + matchLength > cap) {
      out = grow(out, op, op + matchLength, maxOutput);
      cap = Math.min(out.length, maxOutput);
    }
    let from = op - offset;
    if (matchLength >= 32 && offset >= matchLength) {
      // A long match clear of its own output: one native copy.
      out.copyWithin(op, from, from + matchLength);
      op += matchLength;
    } else {
      // Byte by byte: a match may overlap its own output (offset < length = repetition).
      for (let i = 0; i < matchLength; i++) out[op++] = out[from++]!;
    }
    if (ip === end) throw new Lz4Error('input ends after a match; the last sequence must be literals');
  }
  if (out.length > scratch.length && out.length <= MAX_SCRATCH) scratch = out;
  return out.slice(0, op);
}

/**
 * A length field continued in the bytes from `ip` (15 in a 4-bit field means "add the following
 * bytes until one is not 255"); lengthBytes() says how many bytes that took.
 */
function extendedLength(
  input: Uint8Array,
  ip: number,
  base: number,
  maxOutput: number,
  what: string,
): number {
  let length = base;
  for (;;) {
    if (ip >= input.length) throw new Lz4Error(`truncated ${what} length`);
    const b = input[ip++]!;
    length += b;
    if (length > maxOutput)
      throw new Lz4Error(`${what} length ${length} exceeds the output limit of ${maxOutput}`);
    if (b !== 255) return length;
  }
}

/** Bytes an extended length took: every 255 but the last byte, which is less. */
function lengthBytes(length: number, base: number): number {
  return Math.floor((length - base) / 255) + 1;
}

/** Room for `need` bytes (keeping the first `used`), or Lz4Error past `maxOutput`. */
function grow(out: Uint8Array, used: number, need: number, maxOutput: number): Uint8Array {
  if (need > maxOutput) throw new Lz4Error(`output exceeds the limit of ${maxOutput} bytes`);
  const grown = new Uint8Array(Math.max(need, Math.min(maxOutput, out.length * 2)));
  grown.set(out.subarray(0, used));
  return grown;
}
