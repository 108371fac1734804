import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRpError } from '../errors.ts';
import { parseSubnetCreate, parseSubnetPatch } from './ipam-input.ts';

const fails = (fn: () => unknown, field: string, message: RegExp) =>
  assert.throws(fn, (e) => isRpError(e) && e.field === field && message.test(e.message));

test('a create body: prefix required, name defaults to empty, parent kept as given (null = root)', () => {
  assert.deepEqual(parseSubnetCreate({ prefix: '10.1.2.0/24' }), { prefix: '10.1.2.0/24', name: '' });
  assert.deepEqual(parseSubnetCreate({ prefix: '10.1.2.0/24', name: 'a', parent: null }), {
    prefix: '10.1.2.0/24',
    name: 'a',
    parent: null,
  });
  fails(() => parseSubnetCreate({ name: 'a' }), 'prefix', /required/);
  fails(() => parseSubnetCreate({ prefix: 10 }), 'prefix', /CIDR string/);
  fails(() => parseSubnetCreate({ prefix: '10.0.0.0/8', name: 5 }), 'name', /string/);
  fails(() => parseSubnetCreate({ prefix: '10.0.0.0/8', parent: '' }), 'parent', /id or prefix/);
  fails(
    () => parseSubnetCreate({ prefix: '10.0.0.0/8', perent: 'x' }),
    'perent',
    /unknown field\(s\) perent/,
  );
  fails(() => parseSubnetCreate([]), 'body', /object/);
});

test('a patch body takes only what is given', () => {
  assert.deepEqual(parseSubnetPatch({}), {});
  assert.deepEqual(parseSubnetPatch({ name: 'b', parent: null }), { name: 'b', parent: null });
  fails(() => parseSubnetPatch({ id: 'x' }), 'id', /unknown field/);
  fails(() => parseSubnetPatch({ prefix: null }), 'prefix', /CIDR string/);
});
