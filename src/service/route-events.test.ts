import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRoutes } from '../core/routes/route-planner.ts';
import type { PlannerNetwork } from '../core/routes/route-types.ts';
import { routeChangeEvents } from './route-events.ts';

const network = (over: Partial<PlannerNetwork>): PlannerNetwork => ({
  id: 'n',
  manualRoutes: [],
  ipamSubnet: null,
  routesFromIpam: false,
  ipamGateway: null,
  routeLimitStrategy: 'error',
  ...over,
});
const plan = (over: Partial<PlannerNetwork>, limit?: number) =>
  planRoutes({ network: network(over), ipam: [], members: [], advertised: [], limit });

test('one event per route added or removed, naming source and why', () => {
  const before = plan({ manualRoutes: [{ target: '10.0.0.0/8', via: null }] });
  const after = plan({ manualRoutes: [{ target: '10.0.0.0/8', via: '10.0.0.1' }] });
  const events = routeChangeEvents(before, after, 'network updated');
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.reason}`),
    [
      'route.removed 10.0.0.0/8 (manual) removed: network updated',
      'route.added 10.0.0.0/8 via 10.0.0.1 (manual) added: network updated',
    ],
  );
  assert.deepEqual(routeChangeEvents(after, after, 'x'), [], 'no change, no event');
});

test('aggregation starting and stopping is logged with the merges', () => {
  const halves = [
    { target: '10.0.0.0/25', via: null },
    { target: '10.0.0.128/25', via: null },
  ];
  const unmerged = plan({ manualRoutes: halves, routeLimitStrategy: 'aggregate' }, 2);
  const merged = plan(
    { manualRoutes: [...halves, { target: '10.9.0.0/16', via: null }], routeLimitStrategy: 'aggregate' },
    2,
  );
  const on = routeChangeEvents(unmerged, merged, 'more routes');
  const aggregated = on.find((e) => e.type === 'route.aggregated');
  assert.ok(aggregated, JSON.stringify(on));
  assert.match(aggregated.reason, /3 routes merged into 2 .* limit of 2/);
  const off = routeChangeEvents(merged, unmerged, 'fewer routes');
  assert.ok(off.some((e) => e.type === 'route.deaggregated'));
});
