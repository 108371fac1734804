import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planStaticIps } from './static-ips.ts';
import { recordedMember, recordedNetwork } from './recorded-run.ts';

const NWID = '6951fba29ad56e51';
const v6 = (rfc4193: boolean, sixPlane: boolean) => ({ zt: false, rfc4193, '6plane': sixPlane });
const route = (target: string, via: string | null = null) => ({ target, via });

test('the recorded member gets the rfc4193 /88 first, then its IP with the route length', () => {
  const network = recordedNetwork(1);
  const plan = planStaticIps(network, recordedMember(), network.routes);
  assert.deepEqual(
    plan.staticIps.map((s) => `${s.ip}/${s.bits}`),
    ['fd69:51fb:a29a:d56e:5199:93d0:246d:debd/88', '10.147.17.41/24'],
  );
  assert.deepEqual(
    plan.staticIps.map((s) => s.source),
    ['rfc4193', 'assigned'],
  );
  assert.equal(plan.ndpEmulation, true);
  assert.deepEqual(plan.unsent, []);
});

test('the longest containing target wins, and IPs outside every route are reported, not sent', () => {
  const plan = planStaticIps(
    { id: NWID, v6AssignMode: v6(false, true) },
    {
      address: 'd0246ddebd',
      noAutoAssignIps: false,
      ipAssignments: ['10.1.2.3', '192.168.9.9', 'fd00::5', 'junk'],
    },
    [route('10.0.0.0/8'), route('10.1.2.0/24', '10.0.0.1'), route('10.1.0.0/16'), route('fd00::/64')],
  );
  assert.deepEqual(
    plan.staticIps.map((s) => `${s.ip}/${s.bits}`),
    ['fcf3:8495:f3d0:246d:debd::1/40', '10.1.2.3/24', 'fd00::5/64'],
  );
  assert.deepEqual(plan.unsent, [
    { ip: '192.168.9.9', reason: 'outside-routes' },
    { ip: 'junk', reason: 'invalid' },
  ]);
});

test('noAutoAssignIps suppresses the derived v6 addresses (and NDP emulation); 32 addresses at most', () => {
  const ipAssignments = Array.from({ length: 33 }, (_, i) => `10.0.0.${i + 1}`);
  const plan = planStaticIps(
    { id: NWID, v6AssignMode: v6(true, true) },
    { address: 'd0246ddebd', noAutoAssignIps: true, ipAssignments },
    [route('10.0.0.0/24')],
  );
  assert.equal(plan.ndpEmulation, false);
  assert.equal(plan.staticIps.length, 32);
  assert.equal(plan.staticIps[0]!.ip, '10.0.0.1');
  assert.deepEqual(plan.unsent, [{ ip: '10.0.0.33', reason: 'over-limit' }]);
});
