import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mergeCidr } from 'cidr-tools';
import { ErrorCodes } from '../errors.ts';
import { prefixContainsIp } from '../cidr/prefix.ts';
import { createRoutePlanner, planRoutes } from './route-planner.ts';
import type { PlannedRoute, PlannerInput, RoutePlan } from './route-types.ts';
import {
  applyChange,
  attempt,
  canonicalIp,
  changeArb,
  coverageByVia,
  forwarding,
  inputArb,
  ipOf,
  prefixOf,
  snapshot,
} from './planner-fixtures.test.ts';

const RUNS = 400;
const NO_LIMIT = 1_000_000;

/** The same input planned with no limit: what every member would get with nothing merged. */
function unlimited(input: PlannerInput): RoutePlan {
  return planRoutes({
    ...input,
    network: { ...input.network, routeLimitStrategy: 'error' },
    limit: NO_LIMIT,
  });
}

/** Plans, or skips the case when it (legitimately) exceeds the limit. */
function planOrSkip(input: PlannerInput): RoutePlan {
  const result = attempt(() => planRoutes(input));
  if (!result.ok) {
    assert.equal(result.code, ErrorCodes.ROUTE_LIMIT, result.message);
    fc.pre(false);
  }
  return (result as { value: RoutePlan }).value;
}

const addressesOf = (input: PlannerInput) => [...input.members.map((m) => m.address), 'ffffffffff'];

function shuffle<T>(list: readonly T[], seed: number): T[] {
  // A fixed permutation from the seed (fast-check gives the seed, so failures replay).
  return list
    .map((item, i) => ({ item, k: (i * 7919 + seed * 104729) % 1000003 }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.item);
}

describe('planner properties', () => {
  test('deterministic: same input → same plan, also with members and advertised routes permuted', () => {
    fc.assert(
      fc.property(inputArb, fc.nat(), (input, seed) => {
        const first = attempt(() => snapshot(planRoutes(input), addressesOf(input)));
        const again = attempt(() => snapshot(planRoutes(input), addressesOf(input)));
        const permuted = attempt(() =>
          snapshot(
            planRoutes({
              ...input,
              members: shuffle(input.members, seed),
              advertised: shuffle(input.advertised, seed + 1),
            }),
            addressesOf(input),
          ),
        );
        assert.deepEqual(again, first);
        assert.deepEqual(permuted, first);
      }),
      { numRuns: RUNS },
    );
  });

  test('never more than limit routes for any member (or ROUTE_LIMIT, never a silent cut)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = attempt(() => planRoutes(input));
        if (!result.ok) {
          assert.equal(result.code, ErrorCodes.ROUTE_LIMIT, result.message);
          assert.match(
            result.message,
            new RegExp(`^\\d+ routes for .* exceed ZeroTier's limit of ${input.limit} \\(`),
          );
          const count = Number(result.message.split(' ')[0]);
          assert.ok(count > input.limit!);
          return;
        }
        const plan: RoutePlan = result.value;
        for (const address of addressesOf(input)) {
          const got = attempt(() => plan.routesFor(address));
          if (got.ok)
            assert.ok(got.value.length <= input.limit!, `${address}: ${got.value.length} > ${input.limit}`);
          else assert.equal(got.code, ErrorCodes.ROUTE_LIMIT); // only a stranger over the limit
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('no member gets a route via one of its own IPs, and every list is de-duplicated by (target, via)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planOrSkip(input);
        for (const m of input.members) {
          const own = new Set(m.ipAssignments.map(canonicalIp));
          const list = plan.routesFor(m.address);
          if (!m.authorized) assert.deepEqual(list, []);
          assert.ok(list.every((r) => r.via === null || !own.has(r.via)));
          const keys = list.map((r) => `${r.target} ${r.via}`);
          assert.equal(new Set(keys).size, keys.length);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('aggregation covers exactly the same addresses per via, and every address still goes the same way', () => {
    const aggregating = inputArb.map((i) => ({
      ...i,
      network: { ...i.network, routeLimitStrategy: 'aggregate' as const },
    }));
    let merged = 0;
    fc.assert(
      fc.property(aggregating, (input) => {
        const plan = planOrSkip(input);
        const full = unlimited(input);
        if (plan.aggregated) merged++;
        for (const address of addressesOf(input)) {
          const after = attempt(() => plan.routesFor(address));
          if (!after.ok) continue; // a stranger over the limit
          const before = full.routesFor(address);
          // Bigint interval arithmetic …
          assert.deepEqual(coverageByVia(after.value), coverageByVia(before));
          // … cross-checked with cidr-tools' own merge …
          const byVia = (list: PlannedRoute[]) => {
            const out: Record<string, string[]> = {};
            for (const r of list) (out[r.via ?? '-'] ??= []).push(r.target);
            return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, mergeCidr(v).sort()]));
          };
          assert.deepEqual(byVia(after.value), byVia(before));
          // … and the longest-match forwarding is unchanged at every boundary.
          assert.deepEqual(forwarding(after.value, before), forwarding(before, after.value));
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(merged > 10, `only ${merged} cases aggregated anything`);
  });

  test('every assigned member IP that lies in a route before planning still lies in a pushed route', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planOrSkip(input);
        const full = unlimited(input);
        for (const m of input.members.filter((x) => x.authorized)) {
          const pushed = plan.routesFor(m.address);
          const inside = (list: PlannedRoute[], ip: string, viaLess: boolean) => {
            const a = ipOf(ip);
            return list.some(
              (r) => (!viaLess || r.via === null) && prefixContainsIp(prefixOf(r.target), a.family, a.value),
            );
          };
          for (const ip of m.ipAssignments) {
            // Routes a member could have had: all of the unmerged list (never via itself).
            if (inside(full.routesFor(m.address), ip, false))
              assert.ok(inside(pushed, ip, false), `${m.address} ${ip}`);
            // And its own subnet on the interface: inside a via-less route before, inside one after.
            if (inside(full.routesFor(m.address), ip, true))
              assert.ok(inside(pushed, ip, true), `${m.address} ${ip} via-less`);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('incremental: update(change) gives exactly the plan of the changed input, or the same error', () => {
    fc.assert(
      fc.property(
        inputArb.chain((input) =>
          fc.tuple(fc.constant(input), fc.array(changeArb(input), { minLength: 1, maxLength: 3 })),
        ),
        ([input, changes]) => {
          const start = attempt(() => createRoutePlanner(input));
          fc.pre(start.ok);
          let planner = (start as { value: ReturnType<typeof createRoutePlanner> }).value;
          let current = input;
          for (const change of changes) {
            const nextInput = applyChange(current, change);
            const fresh = attempt(() => snapshot(planRoutes(nextInput), addressesOf(nextInput)));
            const updated = attempt(() => planner.update(change));
            const got: unknown = updated.ok
              ? attempt(() => snapshot(updated.value.plan, addressesOf(nextInput)))
              : updated;
            assert.deepEqual(got, fresh);
            if (!updated.ok) return;
            planner = updated.value;
            current = nextInput;
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
