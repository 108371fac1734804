// The stock /controller API, end to end over real HTTP against a real SQLite file, compared with the
// responses zerotier-one 1.14.1 gave in the recorded run (../shared/zerotier/run-baseline).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  RECORDED_CONTROLLER,
  startTestController,
  type TestController,
} from './helpers/controller-fixture.ts';
import { ROUTEPLANE_MEMBER_EXTRAS, assertSameShape } from './helpers/shape.ts';
import { sharedJson } from './helpers/shared-vectors.ts';

const recorded = (name: string) => sharedJson('run-baseline', name);
const NETWORK_VOLATILE = ['id', 'nwid', 'creationTime', 'revision'];
const MEMBER_VOLATILE = [
  'nwid',
  'creationTime',
  'lastAuthorizedTime',
  'lastDeauthorizedTime',
  'revision',
  'identity',
  'vMajor',
  'vMinor',
  'vProto',
  'vRev',
];
const MEMBER_B = '43e690e007';

describe('stock /controller API', () => {
  let zt: TestController;
  let nwid: string;

  before(async () => {
    zt = await startTestController();
  });
  after(async () => {
    await zt.close();
  });

  it('GET /controller answers like zerotier-one', async () => {
    const res = await zt.request('GET', '/controller');
    assert.equal(res.status, 200);
    assertSameShape(res.body, recorded('api-controller.json'), { volatile: ['clock'] });
    assert.ok(Math.abs(res.body.clock - Date.now()) < 5000);
  });

  it('legacy POST /controller/network/<addr>______ creates a network equal to the recorded one', async () => {
    const res = await zt.request(
      'POST',
      `/controller/network/${RECORDED_CONTROLLER}______`,
      recorded('network-create-body.json'),
    );
    assert.equal(res.status, 200, res.text);
    assertSameShape(res.body, recorded('api-network-create-response.json'), { volatile: NETWORK_VOLATILE });
    nwid = res.body.id;
    assert.match(nwid, new RegExp(`^${RECORDED_CONTROLLER}[0-9a-f]{6}$`));
    assert.equal(res.body.nwid, nwid);
    assert.equal(res.body.revision, 1);
    assert.notEqual(nwid.slice(10), '000000');
  });

  it('the stored network matches the FileDB file zerotier-one wrote', async () => {
    const res = await zt.request('GET', `/controller/network/${nwid}`);
    assert.equal(res.status, 200);
    assertSameShape(
      res.body,
      sharedJson('run-baseline', 'controller.d', 'network', 'f8ea0e79249a7b42.json'),
      {
        volatile: NETWORK_VOLATILE,
      },
    );
  });

  it('POST /controller/network with no body creates a network with every stock default', async () => {
    const res = await zt.request('POST', '/controller/network');
    assert.equal(res.status, 200, res.text);
    const body = res.body;
    assert.match(body.id, new RegExp(`^${RECORDED_CONTROLLER}`));
    assert.deepEqual(
      {
        private: body.private,
        name: body.name,
        multicastLimit: body.multicastLimit,
        enableBroadcast: body.enableBroadcast,
        mtu: body.mtu,
        v4AssignMode: body.v4AssignMode,
        v6AssignMode: body.v6AssignMode,
        authTokens: body.authTokens,
        routes: body.routes,
        ipAssignmentPools: body.ipAssignmentPools,
        rules: body.rules,
        dns: body.dns,
        tags: body.tags,
        capabilities: body.capabilities,
        objtype: body.objtype,
        revision: body.revision,
      },
      {
        private: true,
        name: '',
        multicastLimit: 32,
        enableBroadcast: true,
        mtu: 2800,
        v4AssignMode: { zt: false },
        v6AssignMode: { '6plane': false, rfc4193: false, zt: false },
        authTokens: [null],
        routes: [],
        ipAssignmentPools: [],
        rules: [{ not: false, or: false, type: 'ACTION_ACCEPT' }],
        dns: [],
        tags: [],
        capabilities: [],
        objtype: 'network',
        revision: 1,
      },
    );
    const del = await zt.request('DELETE', `/controller/network/${body.id}`);
    assert.equal(del.status, 200);
    assert.equal(del.body.id, body.id);
    assert.equal((await zt.request('GET', `/controller/network/${body.id}`)).status, 404);
  });

  it('GET /controller/network lists network IDs', async () => {
    const res = await zt.request('GET', '/controller/network');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [nwid]);
  });

  it('POST of a new routes array replaces routes and bumps revision like zerotier-one', async () => {
    const routes = recorded('api-network-post-add-route.json').routes;
    const res = await zt.request('POST', `/controller/network/${nwid}`, { routes });
    assert.equal(res.status, 200, res.text);
    assertSameShape(res.body, recorded('api-network-post-add-route.json'), { volatile: NETWORK_VOLATILE });
    assert.equal(res.body.revision, 2);
  });

  it('accepts a body sent as curl -d does (form content type) and via "" meaning no gateway', async () => {
    const res = await zt.request('POST', `/controller/network/${nwid}`, undefined, {
      rawBody: JSON.stringify({ name: 'renamed', routes: [{ target: '10.147.17.0/24', via: '' }] }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'renamed');
    assert.deepEqual(res.body.routes, [{ target: '10.147.17.0/24', via: null }]);
    // Restore the recorded routes for the member tests below.
    const restore = await zt.request('POST', `/controller/network/${nwid}`, {
      name: 'zt-research-net',
      routes: recorded('api-network-post-add-route.json').routes,
    });
    assert.equal(restore.status, 200);
  });

  it('accepts legacy string assign modes', async () => {
    const res = await zt.request('POST', '/controller/network', {
      v4AssignMode: 'zt',
      v6AssignMode: 'rfc4193,zt',
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.v4AssignMode, { zt: true });
    assert.deepEqual(res.body.v6AssignMode, { '6plane': false, rfc4193: true, zt: true });
    await zt.request('DELETE', `/controller/network/${res.body.id}`);
  });

  it('posting back the whole object it read is accepted and changes nothing', async () => {
    const read = await zt.request('GET', `/controller/network/${nwid}`);
    const res = await zt.request('POST', `/controller/network/${nwid}`, {
      ...read.body,
      dns: read.body.dns,
      authTokens: [null],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, read.body);
  });

  it('POST member creates it like zerotier-one (controller-self in the recording)', async () => {
    const res = await zt.request('POST', `/controller/network/${nwid}/member/${RECORDED_CONTROLLER}`, {
      authorized: true,
      ipAssignments: ['10.147.17.1'],
      name: 'controller-self',
    });
    assert.equal(res.status, 200, res.text);
    assertSameShape(res.body, recorded('api-member-controller-post.json'), {
      volatile: MEMBER_VOLATILE,
      extras: ROUTEPLANE_MEMBER_EXTRAS,
    });
    assert.equal(res.body.revision, 1);
    assert.ok(res.body.lastAuthorizedTime > 0);
  });

  it('authorizing a member assigns the IP zerotier-one assigned and records the authorization', async () => {
    const before = Date.now();
    const res = await zt.request('POST', `/controller/network/${nwid}/member/${MEMBER_B}`, {
      authorized: true,
      name: 'member-b',
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.ipAssignments, ['10.147.17.45']);
    assert.equal(res.body.lastAuthorizedCredentialType, 'api');
    assert.equal(res.body.lastAuthorizedCredential, null);
    assert.ok(res.body.lastAuthorizedTime >= before);
    assert.equal(res.body.lastDeauthorizedTime, 0);
    // The recorded network has rfc4193 on: the address derives from the network and member IDs.
    const hex = `fd${nwid}9993${MEMBER_B}`;
    const full = hex.match(/.{4}/g)!.join(':');
    const canonical = new URL(`http://[${full}]`).hostname.slice(1, -1);
    assert.equal(res.body.rfc4193Address, `${canonical}/88`);
    assert.equal(res.body.sixPlaneAddress, undefined);
  });

  it('the 6plane address appears when 6plane is enabled', async () => {
    const on = await zt.request('POST', `/controller/network/${nwid}`, { v6AssignMode: { '6plane': true } });
    assert.equal(on.status, 200);
    assert.deepEqual(on.body.v6AssignMode, { '6plane': true, rfc4193: true, zt: false });
    const res = await zt.request('GET', `/controller/network/${nwid}/member/${MEMBER_B}`);
    assert.match(res.body.sixPlaneAddress, /^fc[0-9a-f]{2}:[0-9a-f:]+\/40$/);
    const off = await zt.request('POST', `/controller/network/${nwid}`, {
      v6AssignMode: { rfc4193: true, '6plane': false },
    });
    assert.equal(off.status, 200);
  });

  it('GET member and the member list match the recording', async () => {
    const res = await zt.request('GET', `/controller/network/${nwid}/member/${MEMBER_B}`);
    assert.equal(res.status, 200);
    const recordedMember = { ...recorded('api-member-get.json') };
    delete recordedMember.identity; // learned over the protocol, which this test does not speak
    assertSameShape(res.body, recordedMember, {
      volatile: MEMBER_VOLATILE,
      extras: ROUTEPLANE_MEMBER_EXTRAS,
    });
    const list = await zt.request('GET', `/controller/network/${nwid}/member`);
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body).sort(), [MEMBER_B, RECORDED_CONTROLLER]);
    for (const value of Object.values(list.body)) assert.equal(typeof value, 'number');
  });

  it('the /unstable lists carry the recorded meta counts', async () => {
    const networks = await zt.request('GET', '/unstable/controller/network');
    assert.equal(networks.status, 200);
    assert.deepEqual(networks.body.meta, { networkCount: 1 });
    assert.deepEqual(networks.body.data[0].meta, recorded('api-unstable-network-list.json').data[0].meta);
    assertSameShape(networks.body.data[0], recorded('api-unstable-network-list.json').data[0], {
      volatile: [...NETWORK_VOLATILE, 'routes'],
    });
    const members = await zt.request('GET', `/unstable/controller/network/${nwid}/member`);
    assert.equal(members.status, 200);
    assert.deepEqual(members.body.meta, recorded('api-unstable-member-list.json').meta);
    assert.equal(members.body.data.length, 2);
  });

  it('deauthorizing sets lastDeauthorizedTime and keeps the IP, as zerotier-one does', async () => {
    const res = await zt.request('POST', `/controller/network/${nwid}/member/${MEMBER_B}`, {
      authorized: false,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.authorized, false);
    assert.ok(res.body.lastDeauthorizedTime > 0);
    assert.deepEqual(res.body.ipAssignments, ['10.147.17.45']);
    assert.equal(res.body.lastAuthorizedCredentialType, 'api');
  });

  it('an unknown network or member is a 404 naming it', async () => {
    for (const path of [
      '/controller/network/f8ea0e7924ffffff',
      '/controller/network/f8ea0e7924ffffff/member',
      `/controller/network/f8ea0e7924ffffff/member/${MEMBER_B}`,
      `/controller/network/${nwid}/member/0123456789`,
    ]) {
      const res = await zt.request('GET', path);
      assert.equal(res.status, 404, path);
      assert.equal(typeof res.body.error, 'string');
      assert.match(res.body.error, /not found/);
    }
    assert.equal(
      (await zt.request('POST', `/controller/network/f8ea0e7924ffffff/member/${MEMBER_B}`, {})).status,
      404,
    );
    assert.equal((await zt.request('DELETE', `/controller/network/${nwid}/member/0123456789`)).status, 404);
  });

  it('a network ID of another controller is refused', async () => {
    const res = await zt.request('POST', '/controller/network/0123456789abcdef', { name: 'x' });
    assert.equal(res.status, 400);
    assert.match(res.body.error, /nwid/);
    const legacy = await zt.request('POST', '/controller/network/0123456789______', {});
    assert.equal(legacy.status, 400);
  });

  it('DELETE member returns it and removes it', async () => {
    const created = await zt.request('POST', `/controller/network/${nwid}/member/aaaaaaaaaa`, {});
    assert.equal(created.status, 200);
    const res = await zt.request('DELETE', `/controller/network/${nwid}/member/aaaaaaaaaa`);
    assert.equal(res.status, 200);
    assert.equal(res.body.address, 'aaaaaaaaaa');
    assert.equal((await zt.request('GET', `/controller/network/${nwid}/member/aaaaaaaaaa`)).status, 404);
  });

  it('PUT behaves like POST', async () => {
    const res = await zt.request('PUT', `/controller/network/${nwid}`, { multicastLimit: 64 });
    assert.equal(res.status, 200);
    assert.equal(res.body.multicastLimit, 64);
  });
});
