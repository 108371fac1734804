import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, RpError } from '../errors.ts';
import { formsDisjoint, targetsFor } from './target-forms.ts';

function rejects(fn: () => unknown, field: string, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RpError, String(error));
    assert.equal(error.code, ErrorCodes.INVALID_INPUT);
    assert.equal(error.field, field);
    assert.match(error.message, message);
    return true;
  });
}

describe('targetsFor', () => {
  test('slot s sends the prefix as 2^s equal parts in address order', () => {
    assert.deepEqual(targetsFor('192.168.50.0/24', 0), {
      targets: ['192.168.50.0/24'],
      depth: 0,
      exact: true,
    });
    assert.deepEqual(targetsFor('192.168.50.0/24', 1), {
      targets: ['192.168.50.0/25', '192.168.50.128/25'],
      depth: 1,
      exact: true,
    });
    assert.deepEqual(targetsFor('192.168.50.0/24', 2).targets, [
      '192.168.50.0/26',
      '192.168.50.64/26',
      '192.168.50.128/26',
      '192.168.50.192/26',
    ]);
    assert.deepEqual(targetsFor('192.168.50.0/24', 3).targets, [
      '192.168.50.0/27',
      '192.168.50.32/27',
      '192.168.50.64/27',
      '192.168.50.96/27',
      '192.168.50.128/27',
      '192.168.50.160/27',
      '192.168.50.192/27',
      '192.168.50.224/27',
    ]);
  });

  test('IPv6 prefixes split the same way, canonical text', () => {
    assert.deepEqual(targetsFor('FD00:50::/64', 1).targets, ['fd00:50::/65', 'fd00:50:0:0:8000::/65']);
  });

  test('a prefix too long to split that far is split as far as possible and flagged not exact', () => {
    assert.deepEqual(targetsFor('10.0.0.8/31', 3), {
      targets: ['10.0.0.8/32', '10.0.0.9/32'],
      depth: 1,
      exact: false,
    });
    assert.deepEqual(targetsFor('10.0.0.8/31', 1), {
      targets: ['10.0.0.8/32', '10.0.0.9/32'],
      depth: 1,
      exact: true,
    });
    assert.deepEqual(targetsFor('10.9.9.9/32', 2), { targets: ['10.9.9.9/32'], depth: 0, exact: false });
    assert.deepEqual(targetsFor('10.9.9.9/32', 0), { targets: ['10.9.9.9/32'], depth: 0, exact: true });
  });

  test('default routes are never split (0.0.0.0/1 would have scope NONE and be refused by the client)', () => {
    assert.deepEqual(targetsFor('0.0.0.0/0', 0), { targets: ['0.0.0.0/0'], depth: 0, exact: true });
    assert.deepEqual(targetsFor('0.0.0.0/0', 2), { targets: ['0.0.0.0/0'], depth: 0, exact: false });
    assert.deepEqual(targetsFor('::/0', 1), { targets: ['::/0'], depth: 0, exact: false });
    // A short but not default prefix is split.
    assert.deepEqual(targetsFor('128.0.0.0/1', 1).targets, ['128.0.0.0/2', '192.0.0.0/2']);
  });

  test('bad prefix or slot is INVALID_INPUT naming the field', () => {
    rejects(() => targetsFor('10.0.0.1/24', 0), 'prefix', /host bits set/);
    rejects(() => targetsFor('nope', 0), 'prefix', /no prefix length/);
    rejects(() => targetsFor('10.0.0.0/24', 4), 'slot', /\[0, 3\]/);
    rejects(() => targetsFor('10.0.0.0/24', -1), 'slot', /\[0, 3\]/);
    rejects(() => targetsFor('10.0.0.0/24', 1.5), 'slot', /\[0, 3\]/);
  });
});

describe('formsDisjoint', () => {
  test('different slots of a /24 are disjoint, the same slot is not', () => {
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 4; b++) assert.equal(formsDisjoint('10.1.0.0/24', a, b), a !== b);
  });

  test('slots that reach the same depth are not disjoint', () => {
    assert.equal(formsDisjoint('10.0.0.8/31', 1, 3), false);
    assert.equal(formsDisjoint('10.0.0.8/31', 0, 3), true);
    assert.equal(formsDisjoint('10.9.9.9/32', 0, 1), false);
    assert.equal(formsDisjoint('0.0.0.0/0', 0, 1), false);
  });
});
