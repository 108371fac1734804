import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routesForClient } from './client-routes.ts';
import type { PlannedRoute } from './route-types.ts';

const routes: PlannedRoute[] = [
  { target: '10.0.0.0/8', via: null, source: 'ipam', owner: 's1' },
  { target: '10.1.2.0/24', via: null, source: 'ipam', owner: 's1' },
  { target: '192.168.50.0/24', via: '10.1.2.1', source: 'manual', owner: null },
  { target: 'fd00:1::/64', via: null, source: 'manual', owner: null },
];

test('Linux members get IPv4 on-link routes via 0.0.0.0 (the only form their client installs)', () => {
  assert.deepEqual(
    routesForClient(routes, 'linux/x86_64').map((r) => `${r.target} ${r.via}`),
    ['10.0.0.0/8 0.0.0.0', '10.1.2.0/24 0.0.0.0', '192.168.50.0/24 10.1.2.1', 'fd00:1::/64 null'],
  );
});

test('other platforms and unknown clients get the routes as planned', () => {
  for (const platform of ['macOS/arm64', 'windows/x64', 'android/arm64', undefined]) {
    assert.deepEqual(routesForClient(routes, platform), routes, String(platform));
  }
});
