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
  // Grow on demand rather than allocating the limit up front (limits may be generous).
  let out = new Uint8Array(Math.min(maxOutput, Math.max(64, end * 4)));
  let op = 0;
  let ip = 0;

  const ensure = (extra: number) => {
    const need = op + extra;
    if (need > maxOutput) throw new Lz4Error(`output exceeds the limit of ${maxOutput} bytes`);
    if (need > out.length) {
      const grown = new Uint8Array(Math.min(maxOutput, Math.max(need, out.length * 2)));
      grown.set(out.subarray(0, op));
      out = grown;
    }
  };
  // 15 in a 4-bit field means "add the following bytes until one is not 255".
  const extendLength = (base: number, what: string): number => {
    let length = base;
    for (;;) {
      if (ip >= end) throw new Lz4Error(`truncated ${what} length`);
      const b = input[ip++]!;
      length += b;
      if (length > maxOutput)
        throw new Lz4Error(`${what} length ${length} exceeds the output limit of ${maxOutput}`);
      if (b !== 255) return length;
    }
  };

  for (;;) {
    const token = input[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) literals = extendLength(15, 'literal');
    if (literals > end - ip)
      throw new Lz4Error(`literal run of ${literals} bytes passes the end of the input`);
    ensure(literals);
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
    if (matchLength === 15) matchLength = extendLength(15, 'match');
    matchLength += MIN_MATCH;
    ensure(matchLength);
    // Byte by byte on purpose: a match may overlap its own output (offset < length = repetition).
    let from = op - offset;
    for (let i = 0; i < matchLength; i++) out[op++] = out[from++]!;
    if (ip === end) throw new Lz4Error('input ends after a match; the last sequence must be literals');
  }
  return out.slice(0, op);
}
