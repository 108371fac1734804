import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FLAG_FRAGMENTED, IDX_FLAGS, MAX_PACKET_LENGTH, buildPacket } from '../packet.ts';
import { FragmentReassembler, type ReassemblyDropReason, splitIntoFragments } from './fragments.ts';

function bigPacket(length: number): Uint8Array {
  const p = buildPacket({
    destination: '6951fba29a',
    source: 'd0246ddebd',
    verb: 8,
    payload: Uint8Array.from({ length: length - 28 }, (_, i) => i & 0xff),
  });
  p[IDX_FLAGS] = p[IDX_FLAGS]! | FLAG_FRAGMENTED;
  return p;
}

function reassemble(r: FragmentReassembler, datagrams: Uint8Array[], now = 0) {
  let result;
  for (const d of datagrams) result = d[13] === 0xff ? r.addFragment(d, now) : r.addHead(d, now);
  return result;
}

test('split: head of MTU bytes, fragments with the 16-byte header, total and numbers in byte 14', () => {
  const p = bigPacket(4000);
  const parts = splitIntoFragments(p, 1432);
  assert.equal(parts.length, 3);
  assert.equal(parts[0]!.length, 1432);
  for (const [n, f] of parts.slice(1).entries()) {
    assert.equal(f[13], 0xff);
    assert.equal(f[14], (3 << 4) | (n + 1));
    assert.deepEqual(f.subarray(0, 13), p.subarray(0, 13));
  }
  assert.equal(
    parts.reduce((a, f, i) => a + f.length - (i === 0 ? 0 : 16), 0),
    4000,
  );
  assert.deepEqual(splitIntoFragments(p.subarray(0, 1000), 1432), [p.subarray(0, 1000)]);
  assert.throws(() => splitIntoFragments(bigPacket(MAX_PACKET_LENGTH), 1000), /at most 7/);
});

test('property: any order of the fragments reassembles the original packet', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1433, max: 9000 }),
      fc.integer({ min: 600, max: 1500 }),
      fc.nat(),
      (length, mtu, seed) => {
        fc.pre(length > mtu); // the node only marks and splits packets that do not fit
        const p = bigPacket(length);
        let parts: Uint8Array[];
        try {
          parts = splitIntoFragments(p, mtu);
        } catch {
          return; // would need more than 7 fragments at this MTU
        }
        const order = parts
          .map((_, i) => i)
          .sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        const r = new FragmentReassembler(4, 1000);
        const result = reassemble(
          r,
          order.map((i) => parts[i]!),
        );
        assert.equal(result?.kind, 'complete');
        assert.deepEqual(result.kind === 'complete' && result.packet, p);
        assert.equal(r.size, 0);
      },
    ),
    { numRuns: 200 },
  );
});

test('duplicates, bad numbering and disagreeing totals are refused', () => {
  const parts = splitIntoFragments(bigPacket(3000), 1432);
  const r = new FragmentReassembler(4, 1000);
  assert.equal(r.addFragment(parts[1]!, 0).kind, 'pending');
  assert.deepEqual(r.addFragment(parts[1]!, 0), { kind: 'dropped', reason: 'fragment_duplicate' });
  const zero = parts[1]!.slice();
  zero[14] = (3 << 4) | 0; // fragment 0 is the head, never a fragment
  assert.deepEqual(r.addFragment(zero, 0), { kind: 'dropped', reason: 'fragment_invalid' });
  const beyond = parts[1]!.slice();
  beyond[14] = (3 << 4) | 5; // number past the total
  assert.deepEqual(r.addFragment(beyond, 0), { kind: 'dropped', reason: 'fragment_invalid' });
  const otherTotal = parts[2]!.slice();
  otherTotal[14] = (4 << 4) | 2;
  assert.deepEqual(r.addFragment(otherTotal, 0), { kind: 'dropped', reason: 'fragment_invalid' });
  assert.equal(r.size, 0, 'the disagreeing packet was forgotten');
});

test('memory is bounded: old packets time out, the oldest is evicted when full, size is capped', () => {
  const discarded: ReassemblyDropReason[] = [];
  const r = new FragmentReassembler(2, 1000, (reason) => discarded.push(reason));
  for (let i = 0; i < 3; i++) r.addHead(bigPacket(2000).subarray(0, 1432), 0);
  assert.equal(r.size, 2);
  assert.deepEqual(discarded, ['fragment_evicted']);
  r.prune(1000);
  assert.equal(r.size, 0);
  assert.deepEqual(discarded, ['fragment_evicted', 'fragment_timeout', 'fragment_timeout']);

  // Seven huge fragments would exceed MAX_PACKET_LENGTH: refused before being stored.
  const head = bigPacket(2000).subarray(0, 1432);
  const huge = new Uint8Array(16 + 3000);
  huge.set(head.subarray(0, 13));
  huge[13] = 0xff;
  huge[14] = (7 << 4) | 1;
  const big = new FragmentReassembler(2, 1000);
  big.addHead(head, 0);
  assert.equal(big.addFragment(huge, 0).kind, 'pending');
  const second = huge.slice();
  second[14] = (7 << 4) | 2;
  assert.equal(big.addFragment(second, 0).kind, 'pending');
  const third = huge.slice();
  third[14] = (7 << 4) | 3;
  assert.deepEqual(big.addFragment(third, 0), { kind: 'dropped', reason: 'fragment_too_long' });
  assert.equal(big.size, 0);
});
