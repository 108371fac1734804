// Rendezvous (highest-random-weight) hashing: a member goes to the router with the highest
// weight(member, router, salt). Removing a router moves only the members it had (every other
// member's highest weight is unchanged), adding one takes members only from others, and no state is
// kept between runs. The hash is FNV-1a with murmur3's finaliser: tiny, pure (no node:crypto in core),
// and well mixed even for the near-identical inputs that member addresses are.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over UTF-16 code units (our inputs are ASCII), continuing from `seed`. */
export function fnv1a(text: string, seed: number = FNV_OFFSET): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME) >>> 0;
  return h;
}

/** murmur3's fmix32: FNV alone leaves the last characters poorly mixed into the high bits. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The salt and router part of the hash, computed once per router instead of once per member. */
function routerSeed(router: string, salt: string): number {
  return fnv1a(`${salt}\u0000${router}\u0000`);
}

export function rendezvousWeight(member: string, router: string, salt = ''): number {
  return mix(fnv1a(member, routerSeed(router, salt)));
}

/**
 * Members per router: each member to the router of highest weight, ties to the lower address.
 * Every router of `routers` is a key (possibly with no members); lists keep `members`' order.
 * `salt` (e.g. a prefix) makes assignments independent between salts; with the same salt a member
 * picks the same router from every set that contains it.
 */
export function assignByRendezvous(
  members: readonly string[],
  routers: readonly string[],
  salt = '',
): Map<string, string[]> {
  const sorted = [...new Set(routers)].sort();
  const seeds = sorted.map((r) => routerSeed(r, salt));
  const out = new Map<string, string[]>(sorted.map((r) => [r, []]));
  if (sorted.length === 0) return out;
  const lists = sorted.map((r) => out.get(r)!);
  for (const member of members) {
    let best = 0;
    let bestWeight = -1;
    for (let i = 0; i < seeds.length; i++) {
      const w = mix(fnv1a(member, seeds[i]!));
      if (w > bestWeight) {
        best = i;
        bestWeight = w;
      }
    }
    lists[best]!.push(member);
  }
  return out;
}
