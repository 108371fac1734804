import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { IpFamily } from './ip.ts';
import {
  formatPrefix,
  isPrefixError,
  maskIp,
  parsePrefix,
  prefixContainsIp,
  prefixContainsPrefix,
  type Prefix,
} from './prefix.ts';
import { comparePrefixes } from './prefix-order.ts';
import { PrefixTrie, type TrieEntry } from './prefix-trie.ts';

function p(text: string): Prefix {
  const parsed = parsePrefix(text);
  if (isPrefixError(parsed)) throw new Error(parsed.error);
  return parsed;
}

const show = (entries: TrieEntry<unknown>[]) => entries.map((e) => formatPrefix(e.prefix));

// Addresses drawn from a small space (few distinct top bits) so that prefixes nest and collide often.
function addressArb(family: IpFamily): fc.Arbitrary<bigint> {
  const width = family === 4 ? 32 : 128;
  return fc
    .tuple(
      fc.integer({ min: 0, max: 15 }),
      fc.bigInt({ min: 0n, max: (1n << BigInt(width - 4)) - 1n }),
      fc.boolean(),
    )
    .map(([top, rest, sparse]) => (BigInt(top) << BigInt(width - 4)) | (sparse ? rest & 0xffn : rest));
}

const familyArb = fc.constantFrom<IpFamily>(4, 6);

const prefixArb: fc.Arbitrary<Prefix> = familyArb.chain((family) =>
  fc.tuple(addressArb(family), fc.integer({ min: 0, max: family === 4 ? 32 : 128 })).map(([value, bits]) => ({
    family,
    value: maskIp(family, value, bits),
    bits,
  })),
);

const ipArb = familyArb.chain((family) => addressArb(family).map((value) => ({ family, value })));

type Op = { kind: 'set'; prefix: Prefix; value: number } | { kind: 'delete'; prefix: Prefix };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(prefixArb, fc.integer())
      .map(([prefix, value]) => ({ kind: 'set' as const, prefix, value })),
  },
  { weight: 1, arbitrary: prefixArb.map((prefix) => ({ kind: 'delete' as const, prefix })) },
);

const key = (x: Prefix) => `${x.family}/${x.value}/${x.bits}`;

/** The brute-force model: a map and linear scans. */
class Model {
  readonly map = new Map<string, TrieEntry<number>>();
  apply(op: Op): boolean | void {
    if (op.kind === 'set') this.map.set(key(op.prefix), { prefix: op.prefix, value: op.value });
    else return this.map.delete(key(op.prefix));
  }
  sorted(): TrieEntry<number>[] {
    return [...this.map.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix));
  }
}

function build(ops: Op[]): { trie: PrefixTrie<number>; model: Model } {
  const trie = new PrefixTrie<number>();
  const model = new Model();
  for (const op of ops) {
    const expected = model.apply(op);
    if (op.kind === 'set') trie.set(op.prefix, op.value);
    else assert.equal(trie.delete(op.prefix), expected);
  }
  return { trie, model };
}

describe('PrefixTrie examples', () => {
  const trie = new PrefixTrie<string>();
  for (const text of [
    '10.0.0.0/8',
    '10.0.0.0/24',
    '10.1.2.0/24',
    '10.1.0.0/16',
    '0.0.0.0/0',
    'fd00::/8',
    'fd00:1::/64',
  ]) {
    trie.set(p(text), text);
  }

  test('exact get, size and canonical iteration', () => {
    assert.equal(trie.size, 7);
    assert.equal(trie.get(p('10.1.0.0/16')), '10.1.0.0/16');
    assert.equal(trie.get(p('10.1.0.0/17')), undefined);
    assert.deepEqual(show([...trie]), [
      '0.0.0.0/0',
      '10.0.0.0/8',
      '10.0.0.0/24',
      '10.1.0.0/16',
      '10.1.2.0/24',
      'fd00::/8',
      'fd00:1::/64',
    ]);
  });

  test('longest match', () => {
    assert.equal(trie.longestMatch(4, 0x0a010207n)?.value, '10.1.2.0/24');
    assert.equal(trie.longestMatch(4, 0x0a010307n)?.value, '10.1.0.0/16');
    assert.equal(trie.longestMatch(4, 0x0b000001n)?.value, '0.0.0.0/0');
    assert.equal(trie.longestMatch(6, 0xfd000001000000000000000000000005n)?.value, 'fd00:1::/64');
    assert.equal(trie.longestMatch(6, 0xfe800000000000000000000000000001n), undefined);
  });

  test('ancestors and descendants', () => {
    assert.deepEqual(show(trie.ancestors(p('10.1.2.0/24'))), [
      '0.0.0.0/0',
      '10.0.0.0/8',
      '10.1.0.0/16',
      '10.1.2.0/24',
    ]);
    assert.deepEqual(show(trie.ancestors(p('10.1.2.0/24'), false)), [
      '0.0.0.0/0',
      '10.0.0.0/8',
      '10.1.0.0/16',
    ]);
    assert.deepEqual(show(trie.descendants(p('10.0.0.0/8'), false)), [
      '10.0.0.0/24',
      '10.1.0.0/16',
      '10.1.2.0/24',
    ]);
    assert.deepEqual(show(trie.descendants(p('10.0.0.0/15'))), ['10.0.0.0/24', '10.1.0.0/16', '10.1.2.0/24']);
    assert.deepEqual(show(trie.descendants(p('10.2.0.0/16'))), []);
  });

  test('delete folds glue nodes and keeps the rest', () => {
    const t = new PrefixTrie<number>();
    t.set(p('10.1.2.0/24'), 1).set(p('10.1.3.0/24'), 2).set(p('10.1.0.0/16'), 3);
    assert.equal(t.delete(p('10.1.2.0/23')), false);
    assert.equal(t.delete(p('10.1.2.0/24')), true);
    assert.equal(t.delete(p('10.1.2.0/24')), false);
    assert.deepEqual(show([...t]), ['10.1.0.0/16', '10.1.3.0/24']);
    assert.equal(t.longestMatch(4, 0x0a010205n)?.value, 3);
    assert.equal(t.size, 2);
  });
});

describe('PrefixTrie properties (vs brute force)', () => {
  test('iteration, exact get and size equal the model', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), prefixArb, (ops, probe) => {
        const { trie, model } = build(ops);
        assert.equal(trie.size, model.map.size);
        assert.deepEqual([...trie], model.sorted());
        assert.equal(trie.get(probe), model.map.get(key(probe))?.value);
      }),
      { numRuns: 400 },
    );
  });

  test('longest-prefix match equals the longest containing prefix', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), fc.array(ipArb, { maxLength: 20 }), (ops, ips) => {
        const { trie, model } = build(ops);
        for (const ip of ips) {
          const containing = model.sorted().filter((e) => prefixContainsIp(e.prefix, ip.family, ip.value));
          const longest = containing.reduce<TrieEntry<number> | undefined>(
            (best, e) => (best === undefined || e.prefix.bits > best.prefix.bits ? e : best),
            undefined,
          );
          assert.deepEqual(trie.longestMatch(ip.family, ip.value), longest);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('ancestors and descendants equal brute force', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), prefixArb, fc.boolean(), (ops, probe, inclusive) => {
        const { trie, model } = build(ops);
        const all = model.sorted();
        const keep = (e: TrieEntry<number>) => inclusive || e.prefix.bits !== probe.bits;
        assert.deepEqual(
          trie.ancestors(probe, inclusive),
          all
            .filter((e) => prefixContainsPrefix(e.prefix, probe) && keep(e))
            .sort((a, b) => a.prefix.bits - b.prefix.bits),
        );
        assert.deepEqual(
          trie.descendants(probe, inclusive),
          all.filter((e) => prefixContainsPrefix(probe, e.prefix) && keep(e)),
        );
      }),
      { numRuns: 400 },
    );
  });

  test('insert then delete restores the previous trie', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), prefixArb, (ops, extra) => {
        const { trie, model } = build(ops);
        fc.pre(!model.map.has(key(extra)));
        const before = [...trie];
        trie.set(extra, 7);
        assert.equal(trie.delete(extra), true);
        assert.deepEqual([...trie], before);
        assert.equal(trie.size, before.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('PrefixTrie speed', () => {
  test('100,000 longest-prefix matches over 5,000 prefixes stay well under a second', () => {
    const trie = new PrefixTrie<number>();
    trie.set(p('10.0.0.0/8'), 0);
    for (let i = 0; i < 4999; i++) {
      // /16s and /24s below 10/8, like an IPAM tree of sites and server groups.
      const bits = i % 50 === 0 ? 16 : 24;
      const value = maskIp(4, 0x0a000000n + BigInt(i) * 0x3d100n, bits);
      trie.set({ family: 4, value, bits }, i + 1);
    }
    const ips: bigint[] = [];
    for (let i = 0; i < 100_000; i++) ips.push(0x0a000000n + ((BigInt(i) * 2654435761n) & 0xffffffn));
    const start = performance.now();
    let found = 0;
    for (const ip of ips) if (trie.longestMatch(4, ip) !== undefined) found++;
    const ms = performance.now() - start;
    assert.equal(found, ips.length);
    assert.ok(ms < 1000, `100k lookups took ${ms.toFixed(0)} ms`);
  });
});
