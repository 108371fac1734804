// Poly1305 one-time authenticator (RFC 8439 §2.5). Every packet a controller sends or receives is
// authenticated with it, so it is written for speed: the 130-bit accumulator and the key part r are
// ten 13-bit limbs in local variables (products of two limbs and their sums stay exact doubles), and
// nothing is allocated per block. Checked against the RFC vectors and, for random keys and lengths,
// against @noble/ciphers (poly1305.test.ts).

export const POLY1305_KEY_LENGTH = 32;
export const POLY1305_TAG_LENGTH = 16;

const M13 = 0x1fff;
/** The last, shorter block: its bytes, then 1, then zeros (RFC 8439 §2.5.1). */
const lastBlock = new Uint8Array(16);

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);

/** The 16-byte tag of `message` under a one-time 32-byte key. */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  if (key.length !== POLY1305_KEY_LENGTH) throw new Error(`Poly1305 key must be 32 bytes, got ${key.length}`);
  // r, clamped (RFC 8439: r &= 0x0ffffffc0ffffffc0ffffffc0fffffff), as limbs of bits 13i…13i+12.
  const k0 = u16(key, 0);
  const k1 = u16(key, 2) & 0x0fff;
  const k2 = u16(key, 4) & 0xfffc;
  const k3 = u16(key, 6) & 0x0fff;
  const k4 = u16(key, 8) & 0xfffc;
  const k5 = u16(key, 10) & 0x0fff;
  const k6 = u16(key, 12) & 0xfffc;
  const k7 = u16(key, 14) & 0x0fff;
  const r0 = k0 & M13;
  const r1 = ((k0 >>> 13) | (k1 << 3)) & M13;
  const r2 = ((k1 >>> 10) | (k2 << 6)) & M13;
  const r3 = ((k2 >>> 7) | (k3 << 9)) & M13;
  const r4 = ((k3 >>> 4) | (k4 << 12)) & M13;
  const r5 = (k4 >>> 1) & M13;
  const r6 = ((k4 >>> 14) | (k5 << 2)) & M13;
  const r7 = ((k5 >>> 11) | (k6 << 5)) & M13;
  const r8 = ((k6 >>> 8) | (k7 << 8)) & M13;
  const r9 = k7 >>> 5;
  // 2^130 ≡ 5 (mod 2^130 − 5): a product reaching past limb 9 comes back as 5 × r.
  const s1 = r1 * 5;
  const s2 = r2 * 5;
  const s3 = r3 * 5;
  const s4 = r4 * 5;
  const s5 = r5 * 5;
  const s6 = r6 * 5;
  const s7 = r7 * 5;
  const s8 = r8 * 5;
  const s9 = r9 * 5;

  let h0 = 0;
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  let h5 = 0;
  let h6 = 0;
  let h7 = 0;
  let h8 = 0;
  let h9 = 0;
  const length = message.length;
  for (let at = 0; at < length; at += 16) {
    let block = message;
    let o = at;
    let top = 1 << 11; // bit 128 of a full block
    if (at + 16 > length) {
      lastBlock.fill(0);
      lastBlock.set(message.subarray(at));
      lastBlock[length - at] = 1;
      block = lastBlock;
      o = 0;
      top = 0;
    }
    const t0 = u16(block, o);
    const t1 = u16(block, o + 2);
    const t2 = u16(block, o + 4);
    const t3 = u16(block, o + 6);
    const t4 = u16(block, o + 8);
    const t5 = u16(block, o + 10);
    const t6 = u16(block, o + 12);
    const t7 = u16(block, o + 14);
    h0 += t0 & M13;
    h1 += ((t0 >>> 13) | (t1 << 3)) & M13;
    h2 += ((t1 >>> 10) | (t2 << 6)) & M13;
    h3 += ((t2 >>> 7) | (t3 << 9)) & M13;
    h4 += ((t3 >>> 4) | (t4 << 12)) & M13;
    h5 += (t4 >>> 1) & M13;
    h6 += ((t4 >>> 14) | (t5 << 2)) & M13;
    h7 += ((t5 >>> 11) | (t6 << 5)) & M13;
    h8 += ((t6 >>> 8) | (t7 << 8)) & M13;
    h9 += (t7 >>> 5) | top;

    // h × r, limb i collecting every h_j × r_(i−j), wrapped products as h_j × 5 r_(i−j+10). Each
    // sum is below 2^35: exact as a double; `& M13` keeps its low bits, the division its carry.
    let d = h0 * r0 + h1 * s9 + h2 * s8 + h3 * s7 + h4 * s6 + h5 * s5 + h6 * s4 + h7 * s3 + h8 * s2 + h9 * s1;
    let c = (d / 8192) | 0;
    const d0 = d & M13;
    d = c + h0 * r1 + h1 * r0 + h2 * s9 + h3 * s8 + h4 * s7 + h5 * s6 + h6 * s5 + h7 * s4 + h8 * s3 + h9 * s2;
    c = (d / 8192) | 0;
    const d1 = d & M13;
    d = c + h0 * r2 + h1 * r1 + h2 * r0 + h3 * s9 + h4 * s8 + h5 * s7 + h6 * s6 + h7 * s5 + h8 * s4 + h9 * s3;
    c = (d / 8192) | 0;
    const d2 = d & M13;
    d = c + h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s9 + h5 * s8 + h6 * s7 + h7 * s6 + h8 * s5 + h9 * s4;
    c = (d / 8192) | 0;
    const d3 = d & M13;
    d = c + h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0 + h5 * s9 + h6 * s8 + h7 * s7 + h8 * s6 + h9 * s5;
    c = (d / 8192) | 0;
    const d4 = d & M13;
    d = c + h0 * r5 + h1 * r4 + h2 * r3 + h3 * r2 + h4 * r1 + h5 * r0 + h6 * s9 + h7 * s8 + h8 * s7 + h9 * s6;
    c = (d / 8192) | 0;
    const d5 = d & M13;
    d = c + h0 * r6 + h1 * r5 + h2 * r4 + h3 * r3 + h4 * r2 + h5 * r1 + h6 * r0 + h7 * s9 + h8 * s8 + h9 * s7;
    c = (d / 8192) | 0;
    const d6 = d & M13;
    d = c + h0 * r7 + h1 * r6 + h2 * r5 + h3 * r4 + h4 * r3 + h5 * r2 + h6 * r1 + h7 * r0 + h8 * s9 + h9 * s8;
    c = (d / 8192) | 0;
    const d7 = d & M13;
    d = c + h0 * r8 + h1 * r7 + h2 * r6 + h3 * r5 + h4 * r4 + h5 * r3 + h6 * r2 + h7 * r1 + h8 * r0 + h9 * s9;
    c = (d / 8192) | 0;
    const d8 = d & M13;
    d = c + h0 * r9 + h1 * r8 + h2 * r7 + h3 * r6 + h4 * r5 + h5 * r4 + h6 * r3 + h7 * r2 + h8 * r1 + h9 * r0;
    c = (d / 8192) | 0;
    const d9 = d & M13;
    // The carry out of limb 9 is a multiple of 2^130: fold it back in as 5 × carry.
    c = c * 5 + d0;
    h0 = c & M13;
    h1 = d1 + ((c / 8192) | 0);
    h2 = d2;
    h3 = d3;
    h4 = d4;
    h5 = d5;
    h6 = d6;
    h7 = d7;
    h8 = d8;
    h9 = d9;
  }

  // Once per tag, so plain loops: carry fully (limb 9's carry wraps to limb 0 as 5 ×, and limb 0's
  // into limbs 1 and 2), then take h − p when h ≥ p, i.e. when h + 5 carries out of limb 9.
  const h = [h0, h1, h2, h3, h4, h5, h6, h7, h8, h9];
  let c = 0;
  for (let i = 1; i < 10; i++) {
    h[i]! += c;
    c = h[i]! >>> 13;
    h[i]! &= M13;
  }
  h[0]! += c * 5;
  for (let i = 0; i < 2; i++) {
    c = h[i]! >>> 13;
    h[i]! &= M13;
    h[i + 1]! += c;
  }
  const g: number[] = [];
  c = 5;
  for (let i = 0; i < 10; i++) {
    const v = h[i]! + c;
    c = v >>> 13;
    g.push(v & M13);
  }
  // All ones when h + 5 reached 2^130 (g = h − p is the value), else zero. No branch on it.
  const useG = -c;
  for (let i = 0; i < 10; i++) h[i] = (h[i]! & ~useG) | (g[i]! & useG);

  // Back to 16-bit words, plus s (the key's second half) modulo 2^128, little-endian out.
  const [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9] = h as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const words = [
    f0 | (f1 << 13),
    (f1 >>> 3) | (f2 << 10),
    (f2 >>> 6) | (f3 << 7),
    (f3 >>> 9) | (f4 << 4),
    (f4 >>> 12) | (f5 << 1) | (f6 << 14),
    (f6 >>> 2) | (f7 << 11),
    (f7 >>> 5) | (f8 << 8),
    (f8 >>> 8) | (f9 << 5),
  ];
  const tag = new Uint8Array(POLY1305_TAG_LENGTH);
  let f = 0;
  for (let i = 0; i < 8; i++) {
    f = (words[i]! & 0xffff) + u16(key, 16 + 2 * i) + (f >>> 16);
    tag[2 * i] = f & 0xff;
    tag[2 * i + 1] = (f >>> 8) & 0xff;
  }
  return tag;
}
