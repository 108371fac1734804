import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random64 } from './random-ids.ts';

test('random64 gives distinct 64-bit values across pool refills, with every bit in use', () => {
  const seen = new Set<bigint>();
  let ored = 0n;
  for (let i = 0; i < 5000; i++) {
    const value = random64();
    assert.ok(value >= 0n && value < 1n << 64n);
    seen.add(value);
    ored |= value;
  }
  assert.equal(seen.size, 5000);
  assert.equal(ored, (1n << 64n) - 1n);
});
