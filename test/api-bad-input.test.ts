// Bad input gets a 4xx naming what is wrong and writes nothing: the stored object and its revision
// are exactly as before. (zerotier-one silently ignores most of these; we say so instead.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestController, type TestController } from './helpers/controller-fixture.ts';

const BAD_NETWORK_BODIES: Array<{
  name: string;
  body?: unknown;
  raw?: string;
  field: RegExp;
  status?: number;
}> = [
  { name: 'malformed JSON', raw: '{"name": ', field: /body.*JSON/i },
  { name: 'a JSON array instead of an object', body: [1, 2], field: /body/ },
  { name: 'private as a string', body: { private: 'yes' }, field: /private/ },
  { name: 'mtu as a string', body: { mtu: '2800' }, field: /mtu/ },
  { name: 'mtu out of range', body: { mtu: 100 }, field: /mtu.*100/ },
  { name: 'multicastLimit negative', body: { multicastLimit: -1 }, field: /multicastLimit/ },
  { name: 'name as a number', body: { name: 42 }, field: /name/ },
  { name: 'routes not an array', body: { routes: '10.0.0.0/8' }, field: /routes/ },
  {
    name: 'malformed CIDR',
    body: { routes: [{ target: '10.0.0/8', via: null }] },
    field: /routes\[0\]\.target.*10\.0\.0\/8/,
  },
  {
    name: 'bad netmask bits',
    body: { routes: [{ target: '10.0.0.0/33', via: null }] },
    field: /routes\[0\]\.target.*10\.0\.0\.0\/33/,
  },
  {
    name: 'host bits set',
    body: { routes: [{ target: '10.1.2.3/24', via: null }] },
    field: /routes\[0\]\.target.*10\.1\.2\.3\/24/,
  },
  {
    name: 'via of the other family',
    body: { routes: [{ target: '10.0.0.0/8', via: 'fd00::1' }] },
    field: /routes\[0\]\.via.*fd00::1/,
  },
  {
    name: 'pool ends of different families',
    body: { ipAssignmentPools: [{ ipRangeStart: '10.0.0.1', ipRangeEnd: 'fd00::9' }] },
    field: /ipAssignmentPools\[0\].*10\.0\.0\.1.*fd00::9/,
  },
  {
    name: 'reversed pool',
    body: { ipAssignmentPools: [{ ipRangeStart: '10.0.0.200', ipRangeEnd: '10.0.0.10' }] },
    field: /ipAssignmentPools\[0\].*10\.0\.0\.200.*10\.0\.0\.10/,
  },
  {
    name: 'pool with a bad IP',
    body: { ipAssignmentPools: [{ ipRangeStart: '10.0.0.300', ipRangeEnd: '10.0.0.310' }] },
    field: /10\.0\.0\.300/,
  },
  {
    name: 'duplicate route',
    body: {
      routes: [
        { target: '10.0.0.0/8', via: null },
        { target: '10.0.0.0/8', via: null },
      ],
    },
    field: /routes\[1\]/,
  },
  {
    name: 'more routes than ZeroTier accepts',
    body: { routes: Array.from({ length: 129 }, (_, i) => ({ target: `10.${i}.0.0/16`, via: null })) },
    field: /129.*128/,
    status: 409,
  },
  {
    name: 'unknown rule type',
    body: { rules: [{ type: 'ACTION_EXPLODE', not: false, or: false }] },
    field: /rules\[0\]/,
  },
  { name: 'v4AssignMode.zt as a string', body: { v4AssignMode: { zt: 'true' } }, field: /v4AssignMode\.zt/ },
  {
    name: 'dns servers not IPs',
    body: { dns: { domain: 'x', servers: ['not-an-ip'] } },
    field: /dns\.servers\[0\].*not-an-ip/,
  },
];

const BAD_MEMBER_BODIES: Array<{ name: string; body: unknown; field: RegExp }> = [
  { name: 'authorized as a string', body: { authorized: 'true' }, field: /authorized/ },
  { name: 'ipAssignments not an array', body: { ipAssignments: '10.0.0.1' }, field: /ipAssignments/ },
  {
    name: 'an invalid IP',
    body: { ipAssignments: ['10.0.0.256'] },
    field: /ipAssignments\[0\].*10\.0\.0\.256/,
  },
  { name: 'tags of the wrong shape', body: { tags: [['a', 1]] }, field: /tags\[0\]/ },
  { name: 'noAutoAssignIps as a number', body: { noAutoAssignIps: 1 }, field: /noAutoAssignIps/ },
];

describe('bad input changes nothing', () => {
  let zt: TestController;
  let nwid: string;
  const member = 'abcdef0123';

  before(async () => {
    zt = await startTestController();
    const created = await zt.request('POST', '/controller/network', {
      name: 'guarded',
      routes: [{ target: '10.9.0.0/16', via: null }],
      ipAssignmentPools: [{ ipRangeStart: '10.9.0.10', ipRangeEnd: '10.9.0.200' }],
      v4AssignMode: { zt: true },
    });
    nwid = created.body.id;
    await zt.request('POST', `/controller/network/${nwid}/member/${member}`, { authorized: true });
  });
  after(async () => {
    await zt.close();
  });

  for (const bad of BAD_NETWORK_BODIES) {
    it(`network POST with ${bad.name} is a ${bad.status ?? 400} and writes nothing`, async () => {
      const beforeState = await zt.request('GET', `/controller/network/${nwid}`);
      const res = await zt.request(
        'POST',
        `/controller/network/${nwid}`,
        bad.body,
        bad.raw === undefined ? {} : { rawBody: bad.raw, headers: { 'content-type': 'application/json' } },
      );
      assert.equal(res.status, bad.status ?? 400, res.text);
      assert.equal(typeof res.body.error, 'string');
      assert.match(res.body.error, bad.field);
      assert.match(res.body.code, /^RP_/);
      const afterState = await zt.request('GET', `/controller/network/${nwid}`);
      assert.deepEqual(afterState.body, beforeState.body);
    });
  }

  for (const bad of BAD_MEMBER_BODIES) {
    it(`member POST with ${bad.name} is a 400 and writes nothing`, async () => {
      const beforeState = await zt.request('GET', `/controller/network/${nwid}/member/${member}`);
      const res = await zt.request('POST', `/controller/network/${nwid}/member/${member}`, bad.body);
      assert.equal(res.status, 400, res.text);
      assert.match(res.body.error, bad.field);
      const afterState = await zt.request('GET', `/controller/network/${nwid}/member/${member}`);
      assert.deepEqual({ ...afterState.body, online: undefined }, { ...beforeState.body, online: undefined });
    });
  }

  it('an IP already held by another member is a 409 and writes nothing', async () => {
    const holder = await zt.request('GET', `/controller/network/${nwid}/member/${member}`);
    const ip = holder.body.ipAssignments[0];
    assert.ok(ip, 'the authorized member got an automatic IP');
    const res = await zt.request('POST', `/controller/network/${nwid}/member/1111111111`, {
      ipAssignments: [ip],
    });
    assert.equal(res.status, 409, res.text);
    assert.match(res.body.error, new RegExp(ip.replace(/\./g, '\\.')));
    assert.equal((await zt.request('GET', `/controller/network/${nwid}/member/1111111111`)).status, 404);
  });

  it('a malformed network ID or member address is a 400 naming it', async () => {
    const badNetwork = await zt.request('GET', '/controller/network/xyz');
    assert.equal(badNetwork.status, 400);
    assert.match(badNetwork.body.error, /xyz/);
    const badMember = await zt.request('POST', `/controller/network/${nwid}/member/zz`, {});
    assert.equal(badMember.status, 400);
    assert.match(badMember.body.error, /zz/);
  });

  it('a missing or wrong token is a 401 and writes nothing', async () => {
    const missing = await zt.request(
      'POST',
      `/controller/network/${nwid}`,
      { name: 'hijacked' },
      { auth: false },
    );
    assert.equal(missing.status, 401);
    const wrong = await zt.request(
      'POST',
      `/controller/network/${nwid}`,
      { name: 'hijacked' },
      { auth: 'nope' },
    );
    assert.equal(wrong.status, 401);
    assert.equal((await zt.request('GET', `/controller/network/${nwid}`)).body.name, 'guarded');
  });
});
