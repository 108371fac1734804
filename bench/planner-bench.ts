// Route planner benchmark: one network with 100,000 members, 5,000 IPAM subnets and 500 advertised
// prefixes, planned in this process (the planner is pure: no store, no network). Prints the full plan
// time, re-plan time after each kind of single change, per-member plan time, and the related
// per-member work (ipamChildSubnet lookups, a plan diff over all members), each beside its target.
//
//   npm run bench:planner                      # 100,000 members
//   npm run bench:planner -- --members 10000   # smaller
//
// Layout: 10.0.0.0/8 (routesFromIpam on, gateway 10.0.0.1) with 49 /16 children and 101 /24s under
// each (4,999 subnets) plus one unrelated root; 4 manual routes; 100 routers, 20 prefixes for
// everyone and 480 for 48 member groups of ~2,083 members (10 each). A member gets 84 routes.
import { parseArgs } from 'node:util';
import { formatIp } from '../src/core/cidr/ip.ts';
import type { IpamSubnet } from '../src/core/ipam/ipam-types.ts';
import { createChildSubnetLookup } from '../src/core/ipam/child-subnet.ts';
import { diffPlans } from '../src/core/routes/plan-diff.ts';
import {
  createRoutePlanner,
  type PlannerChange,
  type RoutePlanner,
} from '../src/core/routes/route-planner.ts';
import type { AdvertisedRoute, PlannerInput, PlannerMember } from '../src/core/routes/route-types.ts';
import { Report, target } from './lib/report.ts';
import { formatCount, formatMs, median } from './lib/stats.ts';

const { values } = parseArgs({ options: { members: { type: 'string' }, runs: { type: 'string' } } });
const MEMBERS = Number(values.members ?? process.env.ROUTEPLANE_BENCH_MEMBERS ?? 100_000);
const RUNS = Number(values.runs ?? 15);

const v4 = (n: number) => formatIp(4, BigInt(n >>> 0));
const address = (i: number) => (0x1000000000 + i).toString(16);

function buildIpam(): IpamSubnet[] {
  const subnets: IpamSubnet[] = [
    { id: 'root', prefix: '10.0.0.0/8', name: 'vpn', parentId: null, networkId: 'n1' },
  ];
  for (let c = 0; c < 49; c++) {
    subnets.push({ id: `c${c}`, prefix: `10.${c}.0.0/16`, name: `site ${c}`, parentId: 'root' });
    for (let g = 0; g < 101; g++) {
      subnets.push({
        id: `c${c}g${g}`,
        prefix: `10.${c}.${g + 1}.0/24`,
        name: `group ${g}`,
        parentId: `c${c}`,
      });
    }
  }
  subnets.push({ id: 'other', prefix: '172.16.0.0/12', name: 'elsewhere', parentId: null });
  return subnets;
}

/** Member i: site i % 49, group (i / 49) % 101, host (i / 4949) % 250 + 2 — unique, inside a /24. */
function memberIp(i: number): string {
  const site = i % 49;
  const group = Math.floor(i / 49) % 101;
  const host = (Math.floor(i / 4949) % 250) + 2;
  return `10.${site}.${group + 1}.${host}`;
}

function buildInput(members: number): PlannerInput {
  const list: PlannerMember[] = [];
  for (let i = 0; i < members; i++) {
    // One in a thousand has an extra address outside every route: realistic noise for the problems.
    const ips = i % 1000 === 999 ? [memberIp(i), `192.0.2.${i % 250}`] : [memberIp(i)];
    list.push({ address: address(i), authorized: i % 50 !== 49, ipAssignments: ips });
  }
  const routerIp = (r: number) => memberIp(r); // the first 100 members are the routers
  const groups: string[][] = Array.from({ length: 48 }, () => []);
  for (let i = 0; i < members; i++) groups[i % 48]!.push(address(i));
  const advertised: AdvertisedRoute[] = [];
  for (let k = 0; k < 20; k++) {
    advertised.push({
      prefix: `${v4(0xc0a80000 + k * 256)}/24`,
      via: routerIp(k % 4),
      owner: address(k % 4),
    });
  }
  for (let g = 0; g < 48; g++) {
    for (let k = 0; k < 10; k++) {
      const r = 4 + ((g * 10 + k) % 96);
      advertised.push({
        prefix: `${v4(0xac100000 + (g * 16 + k) * 256)}/24`,
        via: routerIp(r),
        owner: address(r),
        forMembers: groups[g]!,
      });
    }
  }
  return {
    network: {
      id: '8056c2e21c000001',
      manualRoutes: [
        { target: '192.0.2.0/25', via: null },
        { target: '198.51.100.0/24', via: '10.0.1.2' },
        { target: 'fd00:1234::/64', via: null },
        { target: '203.0.113.0/24', via: '10.0.1.2' },
      ],
      ipamSubnet: '10.0.0.0/8',
      routesFromIpam: true,
      ipamGateway: '10.0.1.1',
      routeLimitStrategy: 'error',
    },
    ipam: buildIpam(),
    members: list,
    advertised,
  };
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

function medianOf(runs: number, fn: (run: number) => void): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(time(() => fn(i)).ms);
  return median(samples);
}

const report = new Report();
report.line(
  `route planner: ${formatCount(MEMBERS)} members, 5,000 IPAM subnets, 500 advertised prefixes (median of ${RUNS} runs)`,
);
const input = buildInput(MEMBERS);

const cold = time(() => createRoutePlanner(input));
const planner: RoutePlanner = cold.value;
report.add({ name: 'full plan (first, cold JIT)', value: formatMs(cold.ms) });
const full = medianOf(RUNS, () => createRoutePlanner(input));
report.add({ name: 'full plan', value: formatMs(full), target: target('< 1 s', full < 1000) });
const sample = planner.plan.routesFor(address(500));
report.line(
  `  (member ${address(500)} gets ${sample.length} routes; ${planner.plan.networkRoutes.length} network routes; ${planner.plan.problems.length} problems)`,
);

const ipam = input.ipam;
const changes: Array<[string, (run: number) => PlannerChange]> = [
  [
    'member IP changed',
    (run) => ({
      upsertMembers: [{ address: address(777), authorized: true, ipAssignments: [`10.5.9.${run + 2}`] }],
    }),
  ],
  [
    'member joined',
    (run) => ({
      upsertMembers: [{ address: address(MEMBERS + run), authorized: true, ipAssignments: ['10.7.7.7'] }],
    }),
  ],
  ['member removed', (run) => ({ removeMembers: [address(1000 + run)] })],
  [
    'router deauthorized',
    () => ({ upsertMembers: [{ address: address(7), authorized: false, ipAssignments: [memberIp(7)] }] }),
  ],
  [
    'IPAM child subnet added',
    (run) => ({
      ipam: [...ipam, { id: 'new', prefix: `10.${60 + run}.0.0/16`, name: 'new', parentId: 'root' }],
    }),
  ],
  [
    'manual route added',
    (run) => ({
      network: { manualRoutes: [...input.network.manualRoutes, { target: `198.18.${run}.0/24`, via: null }] },
    }),
  ],
  ['ipamGateway changed', (run) => ({ network: { ipamGateway: `10.0.1.${run + 3}` } })],
  [
    // Changes who gets which advertised route: only the members added or removed are re-classed.
    'advertised audience changed',
    (run) => ({
      advertised: input.advertised.map((a, i) =>
        i === 20 ? { ...a, forMembers: [...(a.forMembers as string[]), address(MEMBERS + run)] } : a,
      ),
    }),
  ],
  [
    'advertised prefix added',
    (run) => ({
      advertised: [
        ...input.advertised,
        { prefix: `100.64.${run}.0/24`, via: memberIp(3), owner: address(3) },
      ],
    }),
  ],
];
for (const [name, change] of changes) {
  const ms = medianOf(RUNS, (run) => planner.update(change(run)));
  report.add({ name: `re-plan: ${name}`, value: formatMs(ms), target: target('< 20 ms', ms < 20) });
}

// routesFor: what the protocol layer calls per config request.
const addresses = input.members.map((m) => m.address);
const firstPass = time(() => {
  for (const a of addresses) planner.plan.routesFor(a);
});
const perMember = medianOf(RUNS, () => {
  for (const a of addresses) planner.plan.routesFor(a);
});
report.add({
  name: 'per-member plan (routesFor), all members',
  value: `${formatMs(perMember)} (${((perMember / MEMBERS) * 1000).toFixed(2)} µs each; first pass ${formatMs(firstPass.ms)})`,
});
const fresh = planner.update({
  upsertMembers: [{ address: address(42), authorized: true, ipAssignments: ['10.9.9.9'] }],
});
const one = medianOf(RUNS * 20, (run) => fresh.plan.routesFor(address(run * 997)));
report.add({
  name: 'per-member plan, one member',
  value: `${(one * 1000).toFixed(1)} µs`,
  target: target('< 1 ms', one < 1),
});

const lookup = createChildSubnetLookup(ipam);
const variables = medianOf(5, () => {
  for (const m of input.members) lookup('10.0.0.0/8', m.ipAssignments[0]!);
});
report.add({
  name: 'ipamChildSubnet for all members (LPM over 5,000 subnets)',
  value: formatMs(variables),
  target: target('< 1 s', variables < 1000),
});

const changed = planner.update({ network: { ipamGateway: '10.0.1.9' } });
const diff = medianOf(5, () => diffPlans(planner.plan, changed.plan, addresses));
report.add({
  name: 'plan preview diff over all members',
  value: formatMs(diff),
  target: target('< 1 s', diff < 1000),
});

// The limit path: 10.0.0.0/8 with 600 direct /24 children, strategy aggregate.
const wide: IpamSubnet[] = [{ id: 'root', prefix: '10.0.0.0/8', name: '', parentId: null }];
for (let i = 0; i < 600; i++)
  wide.push({ id: `w${i}`, prefix: `${v4(0x0a010000 + i * 256)}/24`, name: '', parentId: 'root' });
const aggregating = medianOf(RUNS, () =>
  createRoutePlanner({
    ...input,
    ipam: wide,
    network: { ...input.network, routeLimitStrategy: 'aggregate' },
  }),
);
const aggregated = createRoutePlanner({
  ...input,
  ipam: wide,
  network: { ...input.network, routeLimitStrategy: 'aggregate' },
}).plan;
report.add({
  name: 'full plan, 601 IPAM routes aggregated',
  value: `${formatMs(aggregating)} (${aggregated.aggregated?.before} → ${aggregated.aggregated?.after} shared routes)`,
  target: target('< 1 s', aggregating < 1000),
});

report.line();
report.table();
process.exitCode = report.misses > 0 ? 1 : 0;
