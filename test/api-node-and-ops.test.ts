// Node endpoints UIs call first, token forms, metrics, OpenAPI, and restart persistence.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  RECORDED_CONTROLLER,
  startTestController,
  type TestController,
} from './helpers/controller-fixture.ts';
import { sharedJson } from './helpers/shared-vectors.ts';

describe('node endpoints, auth forms and operations', () => {
  let zt: TestController;

  before(async () => {
    zt = await startTestController();
  });
  after(async () => {
    await zt.close();
  });

  it('GET /status names the controller address and identity like zerotier-one', async () => {
    const res = await zt.request('GET', '/status');
    assert.equal(res.status, 200);
    const recorded = sharedJson('run-baseline', 'controller-info.json');
    assert.equal(res.body.address, RECORDED_CONTROLLER);
    assert.equal(res.body.publicIdentity, recorded.publicIdentity);
    for (const key of [
      'online',
      'version',
      'versionMajor',
      'versionMinor',
      'versionRev',
      'clock',
      'config',
    ]) {
      assert.equal(typeof res.body[key], typeof recorded[key], key);
    }
    assert.equal(typeof res.body.config.settings.primaryPort, 'number');
    assert.equal(res.body.publicIdentity.split(':').length, 3, 'never the secret half');
  });

  it('GET /network lists no joined networks and GET /peer is a list', async () => {
    assert.deepEqual((await zt.request('GET', '/network')).body, []);
    assert.ok(Array.isArray((await zt.request('GET', '/peer')).body));
  });

  it('accepts the token as X-ZT1-Auth, ?auth= and Bearer', async () => {
    assert.equal((await zt.request('GET', '/controller', undefined, { auth: false })).status, 401);
    assert.equal(
      (await zt.request('GET', `/controller?auth=${zt.token}`, undefined, { auth: false })).status,
      200,
    );
    assert.equal(
      (
        await zt.request('GET', '/controller', undefined, {
          auth: false,
          headers: { authorization: `Bearer ${zt.token}` },
        })
      ).status,
      200,
    );
  });

  it('serves Prometheus metrics with the token', async () => {
    await zt.request('POST', '/controller/network', { name: 'metered' });
    const res = await zt.request('GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.text, /routeplane_networks 1/);
    assert.match(res.text, /routeplane_http_request_duration_seconds_bucket/);
    assert.equal((await zt.request('GET', '/metrics', undefined, { auth: false })).status, 401);
  });

  it('describes every route in OpenAPI at /api/docs/json', async () => {
    const res = await zt.request('GET', '/api/docs/json', undefined, { auth: false });
    assert.equal(res.status, 200);
    const paths = Object.keys(res.body.paths);
    for (const path of [
      '/controller',
      '/controller/network',
      '/controller/network/{nwid}',
      '/controller/network/{nwid}/member',
      '/controller/network/{nwid}/member/{address}',
      '/unstable/controller/network',
      '/unstable/controller/network/{nwid}/member',
      '/status',
      '/peer',
      '/metrics',
    ]) {
      assert.ok(paths.includes(path), `OpenAPI lacks ${path}`);
    }
  });

  it('keeps the token and identity secret files private (0600)', () => {
    assert.equal(statSync(join(zt.dataDir, 'authtoken.secret')).mode & 0o777, 0o600);
    assert.equal(statSync(join(zt.dataDir, 'identity.secret')).mode & 0o777, 0o600);
  });

  it('restart keeps identity, token and data', async () => {
    const created = await zt.request('POST', '/controller/network', { name: 'persisted', mtu: 1500 });
    await zt.request('POST', `/controller/network/${created.body.id}/member/0a0b0c0d0e`, {
      authorized: true,
      name: 'kept',
    });
    const token = zt.token;
    await zt.restart();
    assert.equal(zt.token, token);
    assert.equal(zt.controller.identity.address, RECORDED_CONTROLLER);
    const network = await zt.request('GET', `/controller/network/${created.body.id}`);
    assert.deepEqual(network.body, created.body);
    const member = await zt.request('GET', `/controller/network/${created.body.id}/member/0a0b0c0d0e`);
    assert.equal(member.body.name, 'kept');
    assert.equal(member.body.authorized, true);
  });
});

describe('first start', () => {
  it('generates a real identity and a token, then reloads them', async () => {
    const zt = await startTestController({ recordedIdentity: false });
    try {
      const address = zt.controller.identity.address;
      assert.match(address, /^[0-9a-f]{10}$/);
      assert.equal(zt.controller.identityCreated, true);
      assert.ok(zt.controller.identity.locallyValidate());
      const token = zt.token;
      await zt.restart();
      assert.equal(zt.controller.identity.address, address);
      assert.equal(zt.controller.identityCreated, false);
      assert.equal(zt.token, token);
      const res = await zt.request('POST', '/controller/network', {});
      assert.ok(res.body.id.startsWith(address));
    } finally {
      await zt.close();
    }
  });
});
