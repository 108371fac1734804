import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, isRpError } from '../errors.ts';
import { has, isPlainObject, readBoundedString, readInteger, readTraceTarget, show } from './json-input.ts';

test('isPlainObject accepts only {…}', () => {
  assert.ok(isPlainObject({}));
  assert.ok(isPlainObject(Object.create(null)));
  for (const v of [null, [], 'x', 1, new Date(), new Map()]) assert.equal(isPlainObject(v), false);
});

test('has ignores inherited keys and explicit undefined', () => {
  assert.ok(has({ a: null }, 'a'));
  assert.ok(!has({ a: undefined }, 'a'));
  assert.ok(!has({}, 'toString'));
});

test('readInteger names the field, the value and the range', () => {
  assert.equal(readInteger(5, 'x', 0, 10), 5);
  assert.throws(
    () => readInteger(1.5, 'mtu', 0, 10),
    (e) =>
      isRpError(e) &&
      e.code === ErrorCodes.INVALID_INPUT &&
      e.message === 'mtu: expected an integer, got 1.5',
  );
  assert.throws(
    () => readInteger(11, 'mtu', 0, 10),
    (e) => isRpError(e) && e.message.includes('[0, 10]'),
  );
  assert.throws(
    () => readInteger('5', 'mtu', 0, 10),
    (e) => isRpError(e) && e.message.includes('"5"'),
  );
});

test('readBoundedString counts UTF-8 bytes', () => {
  assert.equal(readBoundedString('é'.repeat(3), 'name', 6), 'ééé');
  assert.throws(
    () => readBoundedString('é'.repeat(4), 'name', 6),
    (e) => isRpError(e) && e.message.includes('8 bytes'),
  );
});

test('readTraceTarget', () => {
  assert.equal(readTraceTarget('ABCDEF0123', 'x'), 'abcdef0123');
  assert.equal(readTraceTarget('', 'x'), null);
  assert.equal(readTraceTarget(null, 'x'), null);
  assert.throws(
    () => readTraceTarget('abc', 'remoteTraceTarget'),
    (e) => isRpError(e) && e.message.includes('"abc"'),
  );
});

test('show truncates long values', () => {
  assert.equal(show('a'.repeat(200)).length, 80);
  assert.equal(show(undefined), 'undefined');
});
