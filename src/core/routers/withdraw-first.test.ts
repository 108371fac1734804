import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AdvertisedRoute } from '../routes/route-types.ts';
import { withdrawFirst } from './withdraw-first.ts';

const A = '10.0.0.1';
const B = '10.0.0.2';
const C = '10.0.0.3';
const MEMBERS = ['m1', 'm2', 'm3', 'm4', 'm5'];

const all = (prefix: string, via: string, except: string[] = []): AdvertisedRoute => ({
  prefix,
  via,
  owner: `r${via}`,
  forMembers: 'all',
  ...(except.length > 0 ? { exceptMembers: except } : {}),
});
const list = (prefix: string, via: string, members: string[]): AdvertisedRoute => ({
  prefix,
  via,
  owner: `r${via}`,
  forMembers: members,
});

const gets = (r: AdvertisedRoute, member: string) =>
  r.forMembers === undefined || r.forMembers === 'all'
    ? !(r.exceptMembers ?? []).includes(member)
    : r.forMembers.includes(member);

/** The via each member gets for each target from a route list (the first one, as the client). */
function sent(routes: readonly AdvertisedRoute[], member: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of routes) if (gets(r, member) && !out.has(r.prefix)) out.set(r.prefix, r.via);
  return out;
}

/** Whether `member` gets each target at most once. */
function once(routes: readonly AdvertisedRoute[], member: string): boolean {
  const seen = new Set<string>();
  for (const r of routes) {
    if (!gets(r, member)) continue;
    if (seen.has(r.prefix)) return false;
    seen.add(r.prefix);
  }
  return true;
}

/** The client: targets it keeps keep their via; gone ones are removed; new ones are added. */
function apply(installed: Map<string, string>, config: Map<string, string>): Map<string, string> {
  const next = new Map<string, string>();
  for (const [target, via] of config) next.set(target, installed.get(target) ?? via);
  return next;
}

describe('withdrawFirst: targets that change via are withdrawn before they are sent again', () => {
  it('the default route of everyone moves from A to B: withdrawn whole, other routes untouched', () => {
    const held = [all('0.0.0.0/0', A, ['ra', 'rb']), all('10.9.0.0/16', C)];
    const next = [all('0.0.0.0/0', B, ['ra', 'rb']), all('10.9.0.0/16', C)];
    const step = withdrawFirst(held, next);
    assert.deepEqual(step, { routes: [all('10.9.0.0/16', C)], withdrawn: ['0.0.0.0/0'] });
    // Once the first push is held, the second goes in one.
    assert.equal(withdrawFirst(step!.routes, next), null);
  });

  it('spread lists lose only the members that held the target via another router', () => {
    const held = [list('0.0.0.0/0', A, ['m1', 'm2']), list('0.0.0.0/0', B, ['m3'])];
    const next = [list('0.0.0.0/0', B, ['m1', 'm3']), list('0.0.0.0/0', C, ['m2'])];
    assert.deepEqual(withdrawFirst(held, next), {
      routes: [list('0.0.0.0/0', B, ['m3'])],
      withdrawn: ['0.0.0.0/0'],
    });
  });

  it('a route for everyone leaves out the members a list held it for via another router', () => {
    const held = [list('10.1.1.1/32', A, ['m2', 'm4'])];
    const next = [all('10.1.1.1/32', B, ['m1'])];
    assert.deepEqual(withdrawFirst(held, next)!.routes, [all('10.1.1.1/32', B, ['m1', 'm2', 'm4'])]);
  });

  it('nothing to withdraw: same vias, new targets, or targets only removed', () => {
    assert.equal(withdrawFirst([all('10.0.0.0/24', A)], [all('10.0.0.0/24', A)]), null);
    assert.equal(
      withdrawFirst([all('10.0.0.0/24', A)], [all('10.0.0.0/25', B), all('10.0.0.128/25', B)]),
      null,
    );
    assert.equal(withdrawFirst([all('10.0.0.0/24', A)], []), null);
    assert.equal(withdrawFirst([list('10.0.0.0/24', A, ['m1'])], [list('10.0.0.0/24', B, ['m2'])]), null);
  });

  it('property: the first push never re-sends a held target via another router, and after it the next list lands exactly', () => {
    const targets = ['0.0.0.0/0', '10.1.1.1/32', '10.2.0.0/24'];
    const arbRoutes = fc
      .array(
        fc.record({
          target: fc.constantFrom(...targets),
          via: fc.constantFrom(A, B, C),
          everyone: fc.boolean(),
          members: fc.subarray(MEMBERS),
        }),
        { maxLength: 6 },
      )
      .map((specs) =>
        specs.map((s) => (s.everyone ? all(s.target, s.via, s.members) : list(s.target, s.via, s.members))),
      );
    fc.assert(
      fc.property(arbRoutes, arbRoutes, (held, next) => {
        // Selection never sends one member a target twice (forms of one depth are never stacked).
        fc.pre([held, next].every((routes) => MEMBERS.every((m) => once(routes, m))));
        const step = withdrawFirst(held, next);
        for (const member of MEMBERS) {
          const before = sent(held, member);
          const want = sent(next, member);
          if (step === null) {
            // One push suffices: no held target changes via.
            for (const [target, via] of want)
              assert.ok(!before.has(target) || before.get(target) === via, `${member} ${target}`);
            continue;
          }
          const first = sent(step.routes, member);
          for (const [target, via] of first) {
            assert.equal(via, want.get(target), `${member}: the first push sends ${target} as next does`);
            assert.ok(!before.has(target) || before.get(target) === via, `${member}: ${target} changes via`);
          }
          const installed = apply(apply(before, first), want);
          assert.deepEqual(installed, want, `${member} ends with next's routes`);
        }
      }),
      { numRuns: 500 },
    );
  });
});
