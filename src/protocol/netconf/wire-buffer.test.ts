import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ipBytes, WireReader, WireWriter } from './wire-buffer.ts';

test('writes big-endian integers, bytes and addresses and reads them back', () => {
  const w = new WireWriter()
    .u8(0xab)
    .u16(0x1234)
    .u32(0xdeadbeef)
    .u64(0x0102030405060708n)
    .address('6951fba29a')
    .zeros(2)
    .bytes(Uint8Array.of(9, 8));
  const bytes = w.finish();
  assert.equal(Buffer.from(bytes).toString('hex'), 'ab1234deadbeef01020304050607086951fba29a00000908');
  const r = new WireReader(bytes);
  assert.equal(r.u8('a'), 0xab);
  assert.equal(r.u16('b'), 0x1234);
  assert.equal(r.u32('c'), 0xdeadbeef);
  assert.equal(r.u64('d'), 0x0102030405060708n);
  assert.equal(r.address('e'), '6951fba29a');
  r.skip(2, 'f');
  assert.deepEqual([...r.bytes(2, 'g')], [9, 8]);
  assert.equal(r.remaining, 0);
});

test('grows past its initial capacity without losing earlier bytes', () => {
  const w = new WireWriter().u8(7);
  const big = new Uint8Array(5000).fill(3);
  w.bytes(big).u8(8);
  const out = w.finish();
  assert.equal(out.length, 5002);
  assert.equal(out[0], 7);
  assert.equal(out[2500], 3);
  assert.equal(out[5001], 8);
});

test('a short read throws naming the field instead of returning zeros', () => {
  const r = new WireReader(Uint8Array.of(1, 2, 3), 0, 'thing');
  assert.throws(() => r.u32('the count'), /thing truncated: the count needs 4 bytes at 0, have 3/);
  assert.throws(() => new WireWriter().address('xyz'), /not a ZeroTier address/);
});

test('u64 takes numbers and wraps negatives to two’s complement like the C++ casts', () => {
  assert.equal(Buffer.from(new WireWriter().u64(-1n).finish()).toString('hex'), 'ffffffffffffffff');
  assert.equal(Buffer.from(new WireWriter().u64(1795271564122).finish()).toString('hex'), '000001a1fe861b5a');
  assert.deepEqual([...ipBytes(0x0a931129n, 4)], [10, 147, 17, 41]);
});

test('u64 writes what DataView.setBigUint64 writes, for bigints and for safe integers', () => {
  const expected = (value: bigint) => {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, value);
    return out;
  };
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (value) => {
      assert.deepEqual(new WireWriter().u64(value).finish(), expected(value));
    }),
  );
  fc.assert(
    fc.property(fc.maxSafeNat(), (value) => {
      assert.deepEqual(new WireWriter().u64(value).finish(), expected(BigInt(value)));
    }),
  );
});

test('a writer given its exact size hands out its buffer once full; a later write cannot change it', () => {
  const exact = new WireWriter(6).u16(0x0102).u32(0x03040506);
  assert.deepEqual([...exact.written()], [1, 2, 3, 4, 5, 6]);
  const out = exact.finish();
  assert.deepEqual([...out], [1, 2, 3, 4, 5, 6]);
  exact.u8(9); // grows into a new buffer
  assert.deepEqual([...out], [1, 2, 3, 4, 5, 6]);
  const roomy = new WireWriter(16).u8(7);
  const copy = roomy.finish();
  roomy.u8(8);
  assert.deepEqual([...copy], [7], 'not full: a copy');
});
