import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExpectedReplies } from './expected-replies.ts';
import { RateGate } from './rate-gate.ts';

test('RateGate: a burst, then one event per interval per key', () => {
  const gate = new RateGate(2, 1000, 10);
  assert.equal(gate.allow('a', 0), true);
  assert.equal(gate.allow('a', 0), true);
  assert.equal(gate.allow('a', 10), false);
  assert.equal(gate.allow('b', 10), true, 'keys are independent');
  assert.equal(gate.allow('a', 1010), true);
  assert.equal(gate.allow('a', 1020), false);
});

test('RateGate forgets the least recently used key beyond its capacity', () => {
  const gate = new RateGate(1, 60_000, 2);
  gate.allow('a', 0);
  gate.allow('b', 0);
  gate.allow('c', 0); // evicts a
  assert.equal(gate.size, 2);
  assert.equal(gate.allow('a', 1), true, 'a starts over with a full bucket');
  assert.equal(gate.allow('c', 1), false);
});

test('ExpectedReplies: only the asked peer, only within the timeout, several OKs allowed', () => {
  const e = new ExpectedReplies(30_000, 3);
  e.expect(1n, 'aaaaaaaaaa', 8, 0);
  assert.equal(e.match(1n, 'aaaaaaaaaa', 10), 8);
  assert.equal(e.match(1n, 'aaaaaaaaaa', 20), 8, 'chunked answers share one request id');
  assert.equal(e.match(1n, 'bbbbbbbbbb', 10), undefined);
  assert.equal(e.match(2n, 'aaaaaaaaaa', 10), undefined);
  assert.equal(e.match(1n, 'aaaaaaaaaa', 30_000), undefined);
  e.expect(2n, 'a', 1, 0);
  e.expect(3n, 'a', 1, 0);
  e.expect(4n, 'a', 1, 0);
  e.expect(5n, 'a', 1, 0);
  assert.equal(e.size, 3);
  assert.equal(e.match(2n, 'a', 1), undefined, 'the oldest was evicted');
  e.prune(30_000);
  assert.equal(e.size, 0);
});
