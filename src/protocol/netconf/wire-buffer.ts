// Big-endian writer and bounds-checked reader for the binary blobs inside a network config
// (credentials, rules, routes). ZeroTier's Buffer throws on a short read; so does WireReader, with
// the name of the field, so a malformed config is rejected instead of read as zeros.
import { toHex } from '../bytes.ts';

export class WireWriter {
  private buf: Uint8Array;
  private length = 0;

  /** `capacity`: the size when known, so the writer never grows and finish() never copies. */
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(value: number): this {
    const at = this.room(1);
    this.buf[at] = value & 0xff;
    return this;
  }

  u16(value: number): this {
    const at = this.room(2);
    this.buf[at] = (value >>> 8) & 0xff;
    this.buf[at + 1] = value & 0xff;
    return this;
  }

  u32(value: number): this {
    const at = this.room(4);
    for (let i = 0; i < 4; i++) this.buf[at + i] = (value >>> (24 - 8 * i)) & 0xff;
    return this;
  }

  /** Unsigned 64-bit; numbers must be safe integers, larger values are bigints. */
  u64(value: bigint | number): this {
    let high: number;
    let low: number;
    if (typeof value === 'number' && value >= 0 && Number.isSafeInteger(value)) {
      high = Math.floor(value / 0x1_0000_0000);
      low = value >>> 0;
    } else {
      const n = BigInt.asUintN(64, BigInt(value));
      high = Number(n >> 32n);
      low = Number(n & 0xffffffffn);
    }
    const at = this.room(8);
    const buf = this.buf;
    buf[at] = high >>> 24;
    buf[at + 1] = (high >>> 16) & 0xff;
    buf[at + 2] = (high >>> 8) & 0xff;
    buf[at + 3] = high & 0xff;
    buf[at + 4] = low >>> 24;
    buf[at + 5] = (low >>> 16) & 0xff;
    buf[at + 6] = (low >>> 8) & 0xff;
    buf[at + 7] = low & 0xff;
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.room(data.length); // may replace this.buf, so before touching it
    this.buf.set(data, at);
    return this;
  }

  /** A 40-bit ZeroTier address given as 10 hex digits. */
  address(address: string): this {
    if (!/^[0-9a-f]{10}$/.test(address)) throw new Error(`not a ZeroTier address: "${address}"`);
    return this.bytes(Uint8Array.from(Buffer.from(address, 'hex')));
  }

  zeros(n: number): this {
    this.room(n); // fresh space is already zero
    return this;
  }

  /** The bytes written so far, as a view (valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** The bytes written; the writer must not be used afterwards. */
  finish(): Uint8Array {
    // Exactly full: nothing can be written in place any more, so the buffer itself is handed out.
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
}

export class WireReader {
  offset: number;

  constructor(
    readonly data: Uint8Array,
    offset = 0,
    private readonly what = 'data',
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  private take(n: number, field: string): number {
    if (this.offset + n > this.data.length) {
      throw new Error(
        `${this.what} truncated: ${field} needs ${n} bytes at ${this.offset}, have ${Math.max(0, this.remaining)}`,
      );
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(field: string): number {
    return this.data[this.take(1, field)]!;
  }

  u16(field: string): number {
    const at = this.take(2, field);
    return (this.data[at]! << 8) | this.data[at + 1]!;
  }

  u32(field: string): number {
    const at = this.take(4, field);
    return (
      ((this.data[at]! << 24) |
        (this.data[at + 1]! << 16) |
        (this.data[at + 2]! << 8) |
        this.data[at + 3]!) >>>
      0
    );
  }

  u64(field: string): bigint {
    const at = this.take(8, field);
    let n = 0n;
    for (let i = 0; i < 8; i++) n = (n << 8n) | BigInt(this.data[at + i]!);
    return n;
  }

  bytes(n: number, field: string): Uint8Array {
    const at = this.take(n, field);
    return this.data.slice(at, at + n);
  }

  address(field: string): string {
    return toHex(this.bytes(5, field));
  }

  skip(n: number, field: string): void {
    this.take(n, field);
  }
}

/** Big-endian bytes of an address value. */
export function ipBytes(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = value;
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
