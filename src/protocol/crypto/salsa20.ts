// Salsa20 keystream (Bernstein), parameterised by rounds: ZeroTier uses 12 rounds for packets and
// 20 for the identity hash, and no installed library exports the 12-round variant.

export type SalsaRounds = 8 | 12 | 20;

// "expand 32-byte k" as four little-endian words.
const SIGMA0 = 0x61707865;
const SIGMA1 = 0x3320646e;
const SIGMA2 = 0x79622d32;
const SIGMA3 = 0x6b206574;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function readU32LE(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/**
 * One Salsa20 block: `out` receives the 16 keystream words for `input`. Locals instead of array
 * accesses in the round loop keep V8 on the fast path (~160k blocks per identity hash).
 */
// prettier-ignore
export function salsaCore(input: Uint32Array, out: Uint32Array, rounds: number): void {
  const j0 = input[0]!, j1 = input[1]!, j2 = input[2]!, j3 = input[3]!;
  const j4 = input[4]!, j5 = input[5]!, j6 = input[6]!, j7 = input[7]!;
  const j8 = input[8]!, j9 = input[9]!, j10 = input[10]!, j11 = input[11]!;
  const j12 = input[12]!, j13 = input[13]!, j14 = input[14]!, j15 = input[15]!;
  let x0 = j0, x1 = j1, x2 = j2, x3 = j3, x4 = j4, x5 = j5, x6 = j6, x7 = j7;
  let x8 = j8, x9 = j9, x10 = j10, x11 = j11, x12 = j12, x13 = j13, x14 = j14, x15 = j15;
  let u: number;
  for (let i = 0; i < rounds; i += 2) {
    // column round
    u = (x0 + x12) | 0; x4 ^= (u << 7) | (u >>> 25);
    u = (x4 + x0) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x4) | 0; x12 ^= (u << 13) | (u >>> 19);
    u = (x12 + x8) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x1) | 0; x9 ^= (u << 7) | (u >>> 25);
    u = (x9 + x5) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x9) | 0; x1 ^= (u << 13) | (u >>> 19);
    u = (x1 + x13) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x6) | 0; x14 ^= (u << 7) | (u >>> 25);
    u = (x14 + x10) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x14) | 0; x6 ^= (u << 13) | (u >>> 19);
    u = (x6 + x2) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x11) | 0; x3 ^= (u << 7) | (u >>> 25);
    u = (x3 + x15) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x3) | 0; x11 ^= (u << 13) | (u >>> 19);
    u = (x11 + x7) | 0; x15 ^= (u << 18) | (u >>> 14);
    // row round
    u = (x0 + x3) | 0; x1 ^= (u << 7) | (u >>> 25);
    u = (x1 + x0) | 0; x2 ^= (u << 9) | (u >>> 23);
    u = (x2 + x1) | 0; x3 ^= (u << 13) | (u >>> 19);
    u = (x3 + x2) | 0; x0 ^= (u << 18) | (u >>> 14);
    u = (x5 + x4) | 0; x6 ^= (u << 7) | (u >>> 25);
    u = (x6 + x5) | 0; x7 ^= (u << 9) | (u >>> 23);
    u = (x7 + x6) | 0; x4 ^= (u << 13) | (u >>> 19);
    u = (x4 + x7) | 0; x5 ^= (u << 18) | (u >>> 14);
    u = (x10 + x9) | 0; x11 ^= (u << 7) | (u >>> 25);
    u = (x11 + x10) | 0; x8 ^= (u << 9) | (u >>> 23);
    u = (x8 + x11) | 0; x9 ^= (u << 13) | (u >>> 19);
    u = (x9 + x8) | 0; x10 ^= (u << 18) | (u >>> 14);
    u = (x15 + x14) | 0; x12 ^= (u << 7) | (u >>> 25);
    u = (x12 + x15) | 0; x13 ^= (u << 9) | (u >>> 23);
    u = (x13 + x12) | 0; x14 ^= (u << 13) | (u >>> 19);
    u = (x14 + x13) | 0; x15 ^= (u << 18) | (u >>> 14);
  }
  out[0] = x0 + j0; out[1] = x1 + j1; out[2] = x2 + j2; out[3] = x3 + j3;
  out[4] = x4 + j4; out[5] = x5 + j5; out[6] = x6 + j6; out[7] = x7 + j7;
  out[8] = x8 + j8; out[9] = x9 + j9; out[10] = x10 + j10; out[11] = x11 + j11;
  out[12] = x12 + j12; out[13] = x13 + j13; out[14] = x14 + j14; out[15] = x15 + j15;
}

/**
 * A continuous Salsa20 keystream for one (key, nonce), starting at block counter 0. Bytes are
 * consumed in order across calls, so partial blocks carry over.
 */
export class Salsa20 {
  private readonly state = new Uint32Array(16);
  private readonly words = new Uint32Array(16);
  /** Current keystream block in byte order; `blockWords` views the same memory (host order). */
  readonly blockBytes = new Uint8Array(this.words.buffer);
  private used = 64;

  constructor(
    key: Uint8Array,
    nonce: Uint8Array,
    readonly rounds: SalsaRounds,
  ) {
    if (key.length !== 32) throw new Error(`Salsa20 key must be 32 bytes, got ${key.length}`);
    if (nonce.length !== 8) throw new Error(`Salsa20 nonce must be 8 bytes, got ${nonce.length}`);
    const s = this.state;
    s[0] = SIGMA0;
    s[5] = SIGMA1;
    s[10] = SIGMA2;
    s[15] = SIGMA3;
    for (let i = 0; i < 4; i++) {
      s[1 + i] = readU32LE(key, i * 4);
      s[11 + i] = readU32LE(key, 16 + i * 4);
    }
    s[6] = readU32LE(nonce, 0);
    s[7] = readU32LE(nonce, 4);
    // s[8], s[9]: 64-bit block counter, little-endian words, starts at 0.
  }

  /**
   * Advances to the next whole 64-byte block (discarding the rest of the current one) and returns
   * its words in host order: XOR them into a Uint32Array view of the data to stay byte-exact on
   * any endianness.
   */
  nextBlockWords(): Uint32Array {
    const w = this.words;
    salsaCore(this.state, w, this.rounds);
    if (!LITTLE_ENDIAN) {
      for (let i = 0; i < 16; i++) {
        const v = w[i]!;
        w[i] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
      }
    }
    const s = this.state;
    s[8] = (s[8]! + 1) >>> 0;
    if (s[8] === 0) s[9] = (s[9]! + 1) >>> 0;
    this.used = 64;
    return w;
  }

  /** XORs the next `length` keystream bytes into `data[offset…]` in place (encrypt = decrypt). */
  xor(data: Uint8Array, offset = 0, length = data.length - offset): void {
    if (offset < 0 || length < 0 || offset + length > data.length) {
      throw new RangeError('Salsa20.xor: range outside the buffer');
    }
    const ks = this.blockBytes;
    let used = this.used;
    const end = offset + length;
    for (let i = offset; i < end; i++) {
      if (used === 64) {
        this.nextBlockWords();
        used = 0;
      }
      data[i] = data[i]! ^ ks[used++]!;
    }
    this.used = used;
  }

  /** The next `length` keystream bytes as a new array. */
  keystream(length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.xor(out);
    return out;
  }
}
