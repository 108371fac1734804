// Shared by the IPAM tests: a checker for the tree invariants and generators of subnet prefixes.
// Named .test.ts so the build and the lint rules treat it as test code; it holds no tests itself.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatPrefix,
  maskIp,
  parsePrefix,
  prefixContainsPrefix,
  prefixesOverlap,
  type Prefix,
} from '../cidr/prefix.ts';
import type { IpamSubnet } from './ipam-types.ts';

export function mustPrefix(text: string): Prefix {
  const p = parsePrefix(text);
  if ('error' in p) throw new Error(p.error);
  return p;
}

/** Every child strictly inside its parent, siblings disjoint, the parent the smallest container. */
export function assertValidTree(subnets: readonly IpamSubnet[]): void {
  const byId = new Map(subnets.map((s) => [s.id, s]));
  assert.equal(byId.size, subnets.length, 'ids are unique');
  assert.equal(new Set(subnets.map((s) => s.prefix)).size, subnets.length, 'prefixes are unique');
  const siblings = new Map<string | null, IpamSubnet[]>();
  for (const s of subnets) {
    const p = mustPrefix(s.prefix);
    assert.equal(formatPrefix(p), s.prefix, 'prefix is canonical');
    const containers = subnets.filter((o) => o !== s && prefixContainsPrefix(mustPrefix(o.prefix), p));
    const smallest = containers.sort((a, b) => mustPrefix(b.prefix).bits - mustPrefix(a.prefix).bits)[0];
    assert.equal(s.parentId ?? null, smallest?.id ?? null, `parent of ${s.prefix}`);
    if (s.parentId !== null) {
      const parent = byId.get(s.parentId);
      assert.ok(parent, `parent of ${s.prefix} exists`);
      const pp = mustPrefix(parent.prefix);
      assert.ok(pp.bits < p.bits && prefixContainsPrefix(pp, p), `${s.prefix} inside ${parent.prefix}`);
    }
    const list = siblings.get(s.parentId) ?? [];
    list.push(s);
    siblings.set(s.parentId, list);
  }
  for (const list of siblings.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        assert.ok(
          !prefixesOverlap(mustPrefix(list[i]!.prefix), mustPrefix(list[j]!.prefix)),
          'siblings overlap',
        );
      }
    }
  }
}

/** Prefixes from a small space (10.0.0.0/8 or fd00::/16 and a few top bits) so that they nest often. */
export const subnetPrefixArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 8, max: 28 }))
    .map(([n, bits]) =>
      formatPrefix({ family: 4, value: maskIp(4, 0x0a000000n | (BigInt(n & 0xf0f0) << 8n), bits), bits }),
    ),
  fc
    .tuple(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 16, max: 72 }))
    .map(([n, bits]) =>
      formatPrefix({ family: 6, value: maskIp(6, (0xfd00n << 112n) | (BigInt(n) << 100n), bits), bits }),
    ),
);

/** Sorted by id, for comparing lists whose order may differ. */
export function byId(subnets: readonly IpamSubnet[]): IpamSubnet[] {
  return [...subnets]
    .map((s) => ({ ...s, networkId: s.networkId ?? null }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
