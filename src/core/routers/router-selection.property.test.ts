import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { familyBits } from '../cidr/ip.ts';
import { formatPrefix, parsePrefix, prefixContainsPrefix, prefixLast, type Prefix } from '../cidr/prefix.ts';
import type { AdvertisedRoute } from '../routes/route-types.ts';
import { selectRouters } from './router-selection.ts';
import { formsDisjoint, targetsFor } from './target-forms.ts';
import type { RouterHealth, RouterSelection, RouterState, SelectionInput } from './router-types.ts';
import { P, policyOf, row, router, routerMap, selectionArb, shuffle } from './router-fixtures.test.ts';

const RUNS = 300;

/** Most properties are about the routes that carry traffic: standby forms left out. */
const selectActive = (input: SelectionInput) => selectRouters({ ...input, standby: false });

const prefixOf = (text: string): Prefix => parsePrefix(text) as Prefix;

/** Routes belonging to an advertised prefix (the generated prefixes never overlap). */
const routesOf = (s: RouterSelection, prefix: string): AdvertisedRoute[] =>
  s.advertised.filter((r) => prefixContainsPrefix(prefixOf(prefix), prefixOf(r.prefix)));

/** member → router per prefix, from the routes' forMembers lists ('all': every given member). */
function owners(s: RouterSelection, prefix: string, everyone: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of routesOf(s, prefix)) {
    const left = new Set(r.exceptMembers ?? []);
    for (const m of r.forMembers === 'all' ? everyone.filter((x) => !left.has(x)) : r.forMembers!) {
      if (!out.has(m)) out.set(m, new Set());
      out.get(m)!.add(r.owner);
    }
  }
  return out;
}

const advertisers = (input: SelectionInput, prefix: string) =>
  new Set(input.advertisements.filter((a) => a.prefix === prefix && a.advertised).map((a) => a.member));

const snapshot = (s: RouterSelection) => ({
  prefixes: s.prefixes,
  advertised: s.advertised,
  primaries: [...s.primaries],
});

/** Every row advertised and approved, every router authorized: more routers to choose between. */
const friendly = (i: SelectionInput): SelectionInput => ({
  ...i,
  advertisements: i.advertisements.map((a) => ({ ...a, advertised: true, approved: true })),
  routers: new Map([...i.routers].map(([k, r]) => [k, { ...r, authorized: true }])),
  members: [...new Set([...i.members, ...i.routers.keys()])],
});
const mixedArb = fc.oneof(selectionArb, selectionArb.map(friendly));
const primaryArb = mixedArb.map((i) => ({ ...i, policy: { ...i.policy, steering: 'primary' as const } }));
const spreadArb = mixedArb.map((i) => ({ ...i, policy: { ...i.policy, steering: 'spread' as const } }));

describe('router selection properties', () => {
  test('deterministic: same input, same output, also with rows, members and routers permuted', () => {
    fc.assert(
      fc.property(selectionArb, fc.nat(), (input, seed) => {
        const first = snapshot(selectActive(input));
        assert.deepEqual(snapshot(selectActive(input)), first);
        const permuted = selectActive({
          ...input,
          advertisements: shuffle(input.advertisements, seed),
          members: shuffle(input.members, seed + 1),
          routers: new Map(shuffle([...input.routers], seed + 2)),
        });
        assert.deepEqual(snapshot(permuted), first);
      }),
      { numRuns: RUNS },
    );
  });

  test("no router of a prefix receives that prefix's routes; routes go via an eligible router's own IP", () => {
    fc.assert(
      fc.property(selectionArb, (input) => {
        const s = selectActive(input);
        for (const p of s.prefixes) {
          const routers = advertisers(input, p.prefix);
          for (const r of routesOf(s, p.prefix)) {
            const choice = p.routers.find((c) => c.member === r.owner)!;
            assert.ok(choice.eligible, `${r.owner} is not eligible: ${choice.reason}`);
            assert.equal(r.via, choice.via);
            if (r.forMembers === 'all') {
              // Everyone but the prefix's other routers (the planner drops a route via the owner's own IP).
              const others = [...routers].filter((m) => m !== r.owner).sort();
              assert.deepEqual([...(r.exceptMembers ?? [])], others);
            } else {
              assert.ok(r.forMembers!.length > 0);
              for (const m of r.forMembers!)
                assert.ok(!routers.has(m), `${m} routes ${p.prefix} although it is a router`);
              assert.deepEqual(r.forMembers, [...r.forMembers!].sort());
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('primary mode: exactly one eligible primary per prefix with an eligible router, none otherwise', () => {
    const seen = { primary: 0, none: 0 };
    fc.assert(
      fc.property(primaryArb, (input) => {
        const s = selectActive(input);
        for (const p of s.prefixes) {
          const primaries = p.routers.filter((r) => r.primary);
          if (p.routers.some((r) => r.eligible)) {
            assert.equal(primaries.length, 1);
            seen.primary++;
            const [primary] = primaries;
            assert.ok(primary!.eligible);
            assert.equal(p.primary, primary!.member);
            assert.equal(s.primaries.get(p.prefix), primary!.member);
            const routes = routesOf(s, p.prefix);
            if (routes.length > 0) {
              assert.deepEqual(
                routes.map((r) => r.prefix),
                targetsFor(p.prefix, primary!.slot).targets,
              );
              assert.ok(routes.every((r) => r.owner === primary!.member));
            } else {
              // Nobody to send it to: every member is a router of the prefix.
              const routers = advertisers(input, p.prefix);
              assert.ok(input.members.every((m) => routers.has(m)));
            }
          } else {
            seen.none++;
            assert.deepEqual(primaries, []);
            assert.equal(p.primary, null);
            assert.equal(s.primaries.has(p.prefix), false);
            assert.deepEqual(routesOf(s, p.prefix), []);
          }
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(seen.primary > 100 && seen.none > 10, JSON.stringify(seen));
  });

  test('sticky: a primary that stays eligible and not draining changes only for a lower metric healthy for failbackAfter', () => {
    const healthArb = fc.record({
      health: fc.constantFrom<RouterHealth>('healthy', 'healthy', 'healthy', 'suspect', 'down', 'draining'),
      since: fc.option(fc.integer({ min: 0, max: 200_000 }), { freq: 5 }),
      keepSuspect: fc.boolean(),
    });
    const seen = { kept: 0, failback: 0 };
    fc.assert(
      fc.property(
        primaryArb,
        fc.array(healthArb, { minLength: 5, maxLength: 5 }),
        fc.array(fc.constantFrom(5, 10, 100, 200), { minLength: 25, maxLength: 25 }),
        fc.nat(300_000),
        (input, changes, metrics, step) => {
          const first = selectActive(input);
          const now = input.now + step;
          const keep = new Set(first.primaries.values());
          const routers = new Map<string, RouterState>();
          [...input.routers.values()].forEach((r, i) => {
            const c = changes[i]!;
            // Every current primary stays eligible and not draining; everything else may change.
            const health: RouterHealth = keep.has(r.address)
              ? c.keepSuspect
                ? 'suspect'
                : 'healthy'
              : c.health;
            routers.set(r.address, { ...r, health, healthySince: c.since });
          });
          // Routers may also re-advertise with another metric (a primary keeps its own).
          const advertisements = input.advertisements.map((a, i) =>
            keep.has(a.member) ? a : { ...a, metric: metrics[i]! },
          );
          const second = selectActive({ ...input, advertisements, routers, previous: first.primaries, now });
          for (const p of second.prefixes) {
            const old = first.primaries.get(p.prefix);
            if (old === undefined) continue;
            const was = p.routers.find((r) => r.member === old)!;
            const proven = p.routers.filter(
              (r) =>
                r.eligible &&
                r.health === 'healthy' &&
                r.metric < was.metric &&
                now - (routers.get(r.member)!.healthySince ?? Infinity) >= input.policy.failbackAfter,
            );
            if (proven.length === 0) {
              assert.equal(p.primary, old, `${p.prefix}: ${p.message}`);
              assert.equal(p.change, 'kept');
              seen.kept++;
            } else {
              assert.ok(
                proven.some((r) => r.member === p.primary),
                `${p.prefix}: ${p.message}`,
              );
              assert.equal(p.change, 'failback');
              seen.failback++;
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(seen.kept > 50 && seen.failback > 10, JSON.stringify(seen));
  });

  test('recovery of an old primary: equal or higher metric never takes over, lower only after failbackAfter', () => {
    const A = 'aaaaaaaaaa';
    const B = 'bbbbbbbbbb';
    let failbacks = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (metricA, metricB, healthyFor, failbackAfter) => {
          const rows = [row(A, P, { metric: metricA }), row(B, P, { metric: metricB, slot: 1 })];
          const base = {
            advertisements: rows,
            members: ['1111111111', A, B],
            policy: policyOf({ steering: 'primary', failbackAfter }),
            now: 1_000_000,
          };
          const a = (patch: Partial<RouterState>) => router(A, '10.147.17.1', patch);
          const b = router(B, '10.147.17.2', { healthySince: 0 });
          const down = selectActive({
            ...base,
            routers: routerMap(a({ health: 'down' }), b),
            previous: new Map([[P, A]]),
          });
          assert.equal(down.primaries.get(P), B);
          const back = selectActive({
            ...base,
            routers: routerMap(a({ healthySince: base.now - healthyFor }), b),
            previous: down.primaries,
          });
          const expected = metricA < metricB && healthyFor >= failbackAfter ? A : B;
          assert.equal(back.primaries.get(P), expected);
          if (expected === A) failbacks++;
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(failbacks > 20 && failbacks < RUNS - 20, `${failbacks} failbacks`);
  });

  test('spread: every non-router member is assigned exactly one router per prefix when one is eligible', () => {
    let shared = 0;
    fc.assert(
      fc.property(spreadArb, (input) => {
        const s = selectActive(input);
        assert.equal(s.primaries.size, 0);
        for (const p of s.prefixes) {
          const routers = advertisers(input, p.prefix);
          const receivers = [...new Set(input.members)].filter((m) => !routers.has(m));
          const got = owners(s, p.prefix, input.members);
          if (!p.routers.some((r) => r.eligible)) {
            assert.equal(got.size, 0);
            continue;
          }
          assert.deepEqual([...got.keys()].sort(), receivers.sort());
          for (const [m, set] of got) assert.equal(set.size, 1, `${m} on ${[...set]}`);
          // Routes of one router are its slot form; member counts add up.
          const total = p.routers.reduce((n, r) => n + (r.members ?? 0), 0);
          assert.equal(total, receivers.length);
          if (p.routers.filter((r) => r.members).length > 1) shared++;
          for (const r of p.routers) {
            if (!r.members) continue;
            const mine = routesOf(s, p.prefix).filter((x) => x.owner === r.member);
            assert.deepEqual(
              mine.map((x) => x.prefix),
              targetsFor(p.prefix, r.slot).targets,
            );
          }
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(shared > 30, `${shared} prefixes spread over more than one router`);
  });

  test('spread: downing one router changes the assignment only of members that were on it', () => {
    const seen = { moved: 0, stayed: 0 };
    fc.assert(
      fc.property(spreadArb, fc.nat(4), (input, pick) => {
        const list = [...input.routers.values()];
        const victim = list[pick % list.length]!;
        const before = selectActive(input);
        const routers = new Map(input.routers);
        routers.set(victim.address, { ...victim, health: 'down' });
        const after = selectActive({ ...input, routers });
        for (const p of before.prefixes) {
          const was = owners(before, p.prefix, input.members);
          const now = owners(after, p.prefix, input.members);
          for (const [m, set] of was) {
            const [o] = [...set];
            if (o === victim.address) {
              seen.moved++;
              continue;
            }
            seen.stayed++;
            // Its router is still live with the same metric, so still in the pool and still its best weight.
            assert.deepEqual([...(now.get(m) ?? [])], [o], `${m} moved from ${o}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(seen.moved > 100 && seen.stayed > 100, JSON.stringify(seen));
  });

  const balanceInput = (members: string[], routers: string[]): SelectionInput => ({
    advertisements: routers.map((r, i) => row(r, P, { slot: i })),
    routers: routerMap(...routers.map((r, i) => router(r, `10.147.17.${i + 1}`))),
    members,
    policy: policyOf({ steering: 'spread' }),
    previous: new Map(),
    now: 0,
  });
  const hexAddress = fc.bigInt({ min: 1n, max: 0xffffffffffn }).map((n) => n.toString(16).padStart(10, '0'));
  const routersArb = fc.uniqueArray(hexAddress, { minLength: 3, maxLength: 3 });
  const counts = (input: SelectionInput) =>
    selectActive(input).prefixes[0]!.routers.map((r) => r.members ?? 0);

  test('spread: 3 routers share 1000+ members within 25% of an even split', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(hexAddress, { minLength: 1000, maxLength: 3000 }),
        routersArb,
        (members, routers) => {
          const others = members.filter((m) => !routers.includes(m));
          const mean = others.length / 3;
          for (const c of counts(balanceInput(others, routers)))
            assert.ok(Math.abs(c - mean) <= 0.25 * mean, `${c} vs ${mean}`);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('spread: 3 routers share 300+ members within 30% of an even split (fixed seed: a statistical bound)', () => {
    // With 300 members a good hash still strays past 30% in about 1 network of 2,000; a fixed seed
    // keeps this a reproducible check of 100 networks instead of a rare flake.
    fc.assert(
      fc.property(
        fc.uniqueArray(hexAddress, { minLength: 300, maxLength: 500 }),
        routersArb,
        (members, routers) => {
          const others = members.filter((m) => !routers.includes(m));
          const mean = others.length / 3;
          for (const c of counts(balanceInput(others, routers)))
            assert.ok(Math.abs(c - mean) <= 0.3 * mean, `${c} vs ${mean}`);
        },
      ),
      { numRuns: 100, seed: 20240505 },
    );
  });
});

describe('target form properties', () => {
  const prefixArb = fc
    .tuple(fc.constantFrom<4 | 6>(4, 6), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.nat(128))
    .map(([family, raw, b]) => {
      const width = familyBits(family);
      const bits = b % (width + 1);
      const value = ((raw & ((1n << BigInt(width)) - 1n)) >> BigInt(width - bits)) << BigInt(width - bits);
      return formatPrefix({ family, value, bits });
    });
  const biased = fc.oneof(
    prefixArb,
    fc.constantFrom(
      '0.0.0.0/0',
      '::/0',
      '10.0.0.1/32',
      '10.0.0.2/31',
      '10.0.0.4/30',
      '192.168.50.0/24',
      'fd00::/127',
    ),
  );

  test('each form covers exactly the prefix, in order, without overlap', () => {
    fc.assert(
      fc.property(biased, fc.integer({ min: 0, max: 3 }), (text, slot) => {
        const p = prefixOf(text);
        const form = targetsFor(text, slot);
        assert.equal(form.targets.length, 2 ** form.depth);
        assert.equal(form.exact, form.depth === slot);
        let next = p.value;
        for (const t of form.targets) {
          const part = prefixOf(t);
          assert.equal(formatPrefix(part), t, 'canonical');
          assert.equal(part.bits, p.bits + form.depth);
          assert.equal(part.value, next, `gap or overlap before ${t}`);
          next = prefixLast(part) + 1n;
        }
        assert.equal(next - 1n, prefixLast(p));
      }),
      { numRuns: 500 },
    );
  });

  test('forms of different slots share no target whenever both are exact, and formsDisjoint says exactly when', () => {
    fc.assert(
      fc.property(biased, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (text, a, b) => {
        const x = targetsFor(text, a);
        const y = targetsFor(text, b);
        const shared = x.targets.filter((t) => y.targets.includes(t));
        if (a !== b && x.exact && y.exact) assert.deepEqual(shared, []);
        assert.equal(formsDisjoint(text, a, b), shared.length === 0);
      }),
      { numRuns: 500 },
    );
  });

  test('a member moved between two routers of different exact slots gets a new target set', () => {
    // The point of slots (ZeroTierOne #2339): no target survives the move, so no via-only change.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 8, max: 29 }), (n, bits) => {
        const text = formatPrefix({
          family: 4,
          value: (BigInt(n) << 8n) & ~((1n << BigInt(32 - bits)) - 1n),
          bits,
        });
        const forms = [0, 1, 2, 3].map((s) => new Set(targetsFor(text, s).targets));
        for (let i = 0; i < 4; i++)
          for (let j = i + 1; j < 4; j++) for (const t of forms[i]!) assert.ok(!forms[j]!.has(t), t);
      }),
      { numRuns: 200 },
    );
  });
  test('standby forms only add routes beneath: for every member and address the longest match is its active router, no router of the prefix gets any, no target twice', () => {
    fc.assert(
      fc.property(mixedArb, (input) => {
        const active = selectActive(input);
        const full = selectRouters(input);
        const key = (r: AdvertisedRoute) => JSON.stringify(r);
        const fullKeys = new Set(full.advertised.map(key));
        for (const r of active.advertised) assert.ok(fullKeys.has(key(r)), `active route kept: ${key(r)}`);
        const everyone = [...new Set(input.members)];
        for (const p of full.prefixes) {
          const routers = advertisers(input, p.prefix);
          const activeOwners = owners(active, p.prefix, everyone);
          const sentTo = new Map<string, AdvertisedRoute[]>();
          for (const r of routesOf(full, p.prefix)) {
            const left = new Set(r.exceptMembers ?? []);
            for (const m of r.forMembers === 'all' ? everyone.filter((x) => !left.has(x)) : r.forMembers!) {
              // A router is at most listed for its own routes (the planner drops a route via itself).
              if (routers.has(m)) {
                assert.equal(
                  r.owner,
                  m,
                  `${m} is a router of ${p.prefix} and gets ${r.prefix} via ${r.owner}`,
                );
                continue;
              }
              if (!sentTo.has(m)) sentTo.set(m, []);
              sentTo.get(m)!.push(r);
            }
            const choice = p.routers.find((c) => c.member === r.owner)!;
            assert.ok(choice.eligible || choice.reason === 'down', `${r.owner}: ${choice.reason}`);
          }
          for (const [m, routes] of sentTo) {
            const targets = routes.map((r) => r.prefix);
            assert.equal(new Set(targets).size, targets.length, `${m} gets a target twice`);
            const mine = [...(activeOwners.get(m) ?? [])];
            assert.equal(mine.length, 1, `${m} has one active router for ${p.prefix}`);
            // The deepest route a member gets is always its active router's.
            const depth = (r: AdvertisedRoute) => prefixOf(r.prefix).bits;
            const deepest = Math.max(...routes.map(depth));
            for (const r of routes.filter((x) => depth(x) === deepest)) assert.equal(r.owner, mine[0]);
            // Every route of the active form is present, so each address matches one of them.
            const activeTargets = routesOf(active, p.prefix).filter((r) => r.owner === mine[0]).length;
            assert.equal(routes.filter((r) => r.owner === mine[0]).length, activeTargets);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
