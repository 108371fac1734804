import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRpError } from '../errors.ts';
import { newNetwork } from './network-defaults.ts';

test('newNetwork carries the stock defaults', () => {
  const n = newNetwork('F8EA0E79249A7B42', 1795270931911);
  assert.deepEqual(n, {
    id: 'f8ea0e79249a7b42',
    name: '',
    private: true,
    creationTime: 1795270931911,
    revision: 0,
    multicastLimit: 32,
    enableBroadcast: true,
    mtu: 2800,
    v4AssignMode: { zt: false },
    v6AssignMode: { zt: false, rfc4193: false, '6plane': false },
    routes: [],
    ipAssignmentPools: [],
    rules: [{ not: false, or: false, type: 'ACTION_ACCEPT' }],
    rulesSource: '',
    capabilities: [],
    tags: [],
    dns: [],
    authTokens: [null],
    remoteTraceTarget: null,
    remoteTraceLevel: 0,
    ssoEnabled: false,
    clientId: '',
    authorizationEndpoint: '',
    ipamSubnet: null,
    routesFromIpam: false,
    ipamGateway: null,
    routeLimitStrategy: 'error',
    steering: 'primary',
    failbackAfter: 30_000,
    autoApprovers: [],
  });
});

test('newNetwork returns fresh arrays each time', () => {
  const a = newNetwork('f8ea0e79249a7b42', 1);
  const b = newNetwork('f8ea0e79249a7b42', 1);
  a.rules.push({ not: false, or: false, type: 'ACTION_DROP' });
  assert.equal(b.rules.length, 1);
});

test('newNetwork rejects a bad id', () => {
  assert.throws(
    () => newNetwork('xyz', 1),
    (e) => isRpError(e) && e.field === 'id' && e.message.includes('"xyz"'),
  );
});
