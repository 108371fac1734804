import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIp } from './ip.ts';
import { parseIpv4Number } from './ipv4-number.ts';

test('parseIpv4Number examples', () => {
  assert.equal(parseIpv4Number('10.1.2.7'), 0x0a010207);
  assert.equal(parseIpv4Number('255.255.255.255'), 0xffffffff);
  assert.equal(parseIpv4Number('0.0.0.0'), 0);
  for (const bad of [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.256',
    '1..2.3',
    '1.2.3.4.',
    'fd00::1',
    ' 1.2.3.4',
    '1.2.3.00',
  ]) {
    assert.equal(parseIpv4Number(bad), undefined, bad);
  }
});

test('property: agrees with parseIp on IPv4-ish text', () => {
  const part = fc.oneof(
    fc.integer({ min: 0, max: 300 }).map(String),
    fc.constantFrom('00', '01', '', 'a', '-1'),
  );
  fc.assert(
    fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
      const text = parts.join('.');
      const big = parseIp(text);
      const expected = big?.family === 4 ? Number(big.value) : undefined;
      assert.equal(parseIpv4Number(text), expected);
    }),
    { numRuns: 2000 },
  );
});
