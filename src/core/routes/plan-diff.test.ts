import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipamFrom } from './planner-fixtures.test.ts';
import { diffPlans } from './plan-diff.ts';
import { createRoutePlanner } from './route-planner.ts';
import type { PlannerInput } from './route-types.ts';

test('diffPlans: what each member gains and loses', () => {
  const input: PlannerInput = {
    network: {
      id: 'n',
      manualRoutes: [],
      ipamSubnet: '10.0.0.0/8',
      routesFromIpam: false,
      ipamGateway: null,
      routeLimitStrategy: 'error',
    },
    ipam: ipamFrom(['10.0.0.0/8', '10.1.1.0/24', '10.1.2.0/24']),
    members: [
      { address: '0000000001', authorized: true, ipAssignments: ['10.1.1.5'] },
      { address: '0000000002', authorized: true, ipAssignments: ['10.1.2.5'] },
      { address: '0000000003', authorized: false, ipAssignments: [] },
    ],
    advertised: [{ prefix: '192.168.0.0/24', via: '10.1.2.5', owner: '0000000002' }],
  };
  const before = createRoutePlanner(input);
  const after = before.update({ network: { routesFromIpam: true, ipamGateway: '10.1.1.1' } });
  const diff = diffPlans(before.plan, after.plan, input.members);
  const show = (list: Array<{ target: string; via: string | null }>) =>
    list.map((r) => `${r.target} ${r.via ?? '-'}`);
  assert.deepEqual(show(diff.network.added), ['10.0.0.0/8 10.1.1.1', '10.1.1.0/24 -', '10.1.2.0/24 -']);
  assert.deepEqual(show(diff.network.removed), ['10.0.0.0/8 -']);
  assert.deepEqual(
    diff.members.map((m) => [m.address, show(m.added), show(m.removed)]),
    [
      ['0000000001', ['10.0.0.0/8 10.1.1.1', '10.1.1.0/24 -', '10.1.2.0/24 -'], ['10.0.0.0/8 -']],
      ['0000000002', ['10.0.0.0/8 10.1.1.1', '10.1.1.0/24 -', '10.1.2.0/24 -'], ['10.0.0.0/8 -']],
    ],
  );
  assert.equal(diff.unchanged, 1, 'the unauthorized member gets nothing either way');
  assert.deepEqual(diffPlans(after.plan, after.plan, ['0000000001']).members, []);
});
