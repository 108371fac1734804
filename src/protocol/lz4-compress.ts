// LZ4 block-format compression (the sender side of lz4.ts), as ZeroTier's Packet::compress() uses
// it: the controller compresses config replies so a typical config fits one datagram. A greedy
// single-hash-table matcher like LZ4_compress_fast(acceleration 1); it keeps the block format's end
// rules (the last match starts at least 12 bytes before the end, the last 5 bytes are literals) so
// the reference LZ4_decompress_safe in every ZeroTier client accepts its output.

const MIN_MATCH = 4;
/** A match may not start within the last 12 bytes (LZ4 MFLIMIT). */
const MF_LIMIT = 12;
/** The last 5 bytes are always literals (LZ4 LASTLITERALS). */
const LAST_LITERALS = 5;
const MAX_OFFSET = 0xffff;
const HASH_LOG = 12;
const HASH_SIZE = 1 << HASH_LOG;

/** The largest block `lz4CompressBlock` can produce for `length` input bytes (LZ4_compressBound). */
export function lz4CompressBound(length: number): number {
  return length + Math.floor(length / 255) + 16;
}

// One table reused by every call (the event loop runs one compression at a time); entries are
// position + 1 so a fresh zero means "empty", and `generation` invalidates old entries cheaply.
const table = new Int32Array(HASH_SIZE);
const tableGeneration = new Int32Array(HASH_SIZE);
let generation = 0;
// Output is written here and copied out at its final length (one allocation per block, not two).
let scratch: Uint8Array = new Uint8Array(4096);

function read32(src: Uint8Array, i: number): number {
  return (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
}

function hash(sequence: number): number {
  return Math.imul(sequence, 2654435761) >>> (32 - HASH_LOG);
}

/**
 * Compresses `src` into one LZ4 block (no frame header, no checksum): exactly what
 * lz4DecompressBlock and LZ4_decompress_safe read back. Always succeeds; incompressible input
 * comes out slightly larger (see lz4CompressBound), so callers compare lengths.
 */
export function lz4CompressBlock(src: Uint8Array): Uint8Array {
  const length = src.length;
  const bound = lz4CompressBound(length);
  if (scratch.length < bound) scratch = new Uint8Array(bound);
  const out = scratch;
  let op = 0;
  let anchor = 0;

  const writeLength = (rest: number) => {
    for (; rest >= 255; rest -= 255) out[op++] = 255;
    out[op++] = rest;
  };
  const emit = (matchStart: number, offset: number, matchLength: number) => {
    const literals = matchStart - anchor;
    const m = matchLength - MIN_MATCH;
    out[op++] = (Math.min(literals, 15) << 4) | Math.min(m, 15);
    if (literals >= 15) writeLength(literals - 15);
    out.set(src.subarray(anchor, matchStart), op);
    op += literals;
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    if (m >= 15) writeLength(m - 15);
  };

  if (length > MF_LIMIT) {
    if (++generation > 0x3fffffff) {
      generation = 1;
      tableGeneration.fill(0);
    }
    const matchLimit = length - LAST_LITERALS; // matches end before this
    const lastMatchStart = length - MF_LIMIT; // and start at or before this
    let ip = 0;
    while (ip <= lastMatchStart) {
      const sequence = read32(src, ip);
      const h = hash(sequence);
      const candidate = tableGeneration[h] === generation ? table[h]! - 1 : -1;
      table[h] = ip + 1;
      tableGeneration[h] = generation;
      if (candidate < 0 || ip - candidate > MAX_OFFSET || read32(src, candidate) !== sequence) {
        ip++;
        continue;
      }
      let start = ip;
      let ref = candidate;
      // Extend backwards over literals not yet emitted.
      while (start > anchor && ref > 0 && src[start - 1] === src[ref - 1]) {
        start--;
        ref--;
      }
      let end = ip + MIN_MATCH;
      let from = candidate + MIN_MATCH;
      while (end < matchLimit && src[end] === src[from]) {
        end++;
        from++;
      }
      emit(start, start - ref, end - start);
      anchor = end;
      ip = end;
      // Remember a position inside the match too, as LZ4 does, to find the next match sooner.
      if (end - 2 <= lastMatchStart && end - 2 > start) {
        const inside = end - 2;
        const hi = hash(read32(src, inside));
        table[hi] = inside + 1;
        tableGeneration[hi] = generation;
      }
    }
  }

  const literals = length - anchor;
  out[op++] = Math.min(literals, 15) << 4;
  if (literals >= 15) writeLength(literals - 15);
  out.set(src.subarray(anchor), op);
  op += literals;
  return out.slice(0, op);
}
