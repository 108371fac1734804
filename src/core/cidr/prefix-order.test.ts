import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePrefixTexts } from './prefix-order.ts';

test('CIDR strings sort IPv4 first, by address, shorter first; non-prefixes last', () => {
  const sorted = ['fd00::/8', 'junk', '10.1.0.0/16', '10.0.0.0/24', '10.0.0.0/8', '9.0.0.0/8'].sort(
    comparePrefixTexts,
  );
  assert.deepEqual(sorted, ['9.0.0.0/8', '10.0.0.0/8', '10.0.0.0/24', '10.1.0.0/16', 'fd00::/8', 'junk']);
});
