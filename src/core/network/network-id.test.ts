import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isRpError } from '../errors.ts';
import {
  canonicalNetworkId,
  controllerAddressOf,
  isMemberAddress,
  isNetworkId,
  networkIdFor,
} from './network-id.ts';

describe('network IDs and member addresses', () => {
  test('isNetworkId accepts 16 hex digits in any case', () => {
    assert.ok(isNetworkId('f8ea0e79249a7b42'));
    assert.ok(isNetworkId('F8EA0E79249A7B42'));
    for (const bad of ['f8ea0e79249a7b4', 'f8ea0e79249a7b421', 'g8ea0e79249a7b42', '', 42, null]) {
      assert.equal(isNetworkId(bad), false, String(bad));
    }
    assert.equal(canonicalNetworkId('F8EA0E79249A7B42'), 'f8ea0e79249a7b42');
  });

  test('isMemberAddress rejects zero, the reserved ff prefix and bad lengths', () => {
    assert.ok(isMemberAddress('43e690e007'));
    assert.ok(isMemberAddress('43E690E007'));
    assert.ok(isMemberAddress('fe00000000'));
    for (const bad of ['0000000000', 'ff00000001', 'FF12345678', '43e690e00', '43e690e0077', 'zz00000000']) {
      assert.equal(isMemberAddress(bad), false, bad);
    }
  });

  test('controllerAddressOf is the first 10 hex digits, lower case', () => {
    assert.equal(controllerAddressOf('F8EA0E79249A7B42'), 'f8ea0e7924');
    assert.throws(
      () => controllerAddressOf('nope'),
      (e) => isRpError(e) && e.message.includes('"nope"'),
    );
  });

  test('networkIdFor uses the low 24 bits and never yields …000000', () => {
    assert.equal(networkIdFor('f8ea0e7924', 0x9a7b42), 'f8ea0e79249a7b42');
    assert.equal(networkIdFor('F8EA0E7924', 0x19a7b42), 'f8ea0e79249a7b42');
    assert.equal(networkIdFor('f8ea0e7924', 0), 'f8ea0e7924000001');
    assert.equal(networkIdFor('f8ea0e7924', 0x1000000), 'f8ea0e7924000001');
    assert.throws(() => networkIdFor('ff00000000', 5), isRpError);
    assert.throws(() => networkIdFor('f8ea0e7924', 1.5), isRpError);
    fc.assert(
      fc.property(fc.nat(), (r) => {
        const id = networkIdFor('f8ea0e7924', r);
        assert.ok(isNetworkId(id) && id.startsWith('f8ea0e7924') && !id.endsWith('000000'));
        assert.equal(controllerAddressOf(id), 'f8ea0e7924');
      }),
    );
  });
});
