// Faults inside the controller while it answers or pushes configs (a database error, a peer gone
// in the meantime) must cost one request or one push, never the process: the controller's protocol
// handlers run detached from the receive loop, so an escaped rejection would be fatal in Node 20.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestController, type TestController } from './helpers/controller-fixture.ts';
import { metricValue } from './support/prometheus-text.ts';
import { controllerRoot, memberIdentities } from './support/recorded-identities.ts';
import { TsMember } from './support/ts-member.ts';

describe('controller faults while serving configs', () => {
  let zt: TestController;
  let nwid: string;
  let member: TsMember;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  const requestsWithOutcome = async (outcome: string) =>
    metricValue((await zt.request('GET', '/metrics')).text, 'routeplane_config_requests_total', { outcome });

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    zt = await startTestController();
    const created = await zt.request('POST', `/controller/network/${zt.controller.identity.address}______`, {
      v4AssignMode: { zt: true },
      ipAssignmentPools: [{ ipRangeStart: '10.170.0.10', ipRangeEnd: '10.170.0.250' }],
      routes: [{ target: '10.170.0.0/24', via: null }],
    });
    nwid = created.body.id;
    const identity = memberIdentities(zt.controller.identity.address)[0]!;
    await zt.request('POST', `/controller/network/${nwid}/member/${identity.address}`, { authorized: true });
    member = await TsMember.create({
      identity,
      roots: [controllerRoot(zt.controller)],
      requestInterval: 1200,
    });
    member.join(nwid);
    await member.waitForConfig(nwid, 0, 10_000);
  });

  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await member?.stop();
    await zt.close();
  });

  it('a database error while answering a request is counted, and the next request is served', async () => {
    const service = zt.controller.service;
    const original = service.activeBridges.bind(service);
    let failures = 0;
    service.activeBridges = () => {
      failures++;
      return Promise.reject(new Error('injected: database is locked'));
    };
    const errorsBefore = await requestsWithOutcome('error');
    const repliesBefore = member.configEvents(nwid).filter((e) => e.source === 'reply').length;
    try {
      await member.waitFor(() => failures >= 1, 5000, 'a request to hit the injected fault');
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      service.activeBridges = original;
    }
    assert.deepEqual(unhandled, [], 'no rejection escaped the request handler');
    assert.ok((await requestsWithOutcome('error')) > errorsBefore, 'counted as outcome="error"');
    // The member re-requests on its schedule and is served again.
    await member.waitFor(
      () => member.configEvents(nwid).filter((e) => e.source === 'reply').length > repliesBefore,
      5000,
      'a config reply after the fault cleared',
    );
    assert.equal((await zt.request('GET', '/controller')).status, 200);
  });

  it('a database error during a push is counted; the next change is pushed', async () => {
    const service = zt.controller.service;
    const original = service.activeBridges.bind(service);
    service.activeBridges = () => Promise.reject(new Error('injected: disk I/O error'));
    const failedBefore = metricValue(
      (await zt.request('GET', '/metrics')).text,
      'routeplane_config_pushes_total',
      { result: 'failed' },
    );
    try {
      const res = await zt.request('POST', `/controller/network/${nwid}`, { name: 'during-fault' });
      assert.equal(res.status, 200);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      service.activeBridges = original;
    }
    assert.deepEqual(unhandled, [], 'no rejection escaped the push');
    const failed = metricValue((await zt.request('GET', '/metrics')).text, 'routeplane_config_pushes_total', {
      result: 'failed',
    });
    assert.equal(failed - failedBefore, 1, 'the push to the one online member counted as failed');
    const pushed = member.nextConfig(nwid, { source: 'push', timeoutMs: 3000 });
    const res = await zt.request('POST', `/controller/network/${nwid}`, { name: 'after-fault' });
    assert.equal(res.status, 200);
    const event = await pushed;
    assert.equal(event.config.name, 'after-fault');
  });

  it('requests for networks that do not exist leave no member session behind', async () => {
    const missing = `${zt.controller.identity.address}${nwid.endsWith('abcdef') ? 'abcdee' : 'abcdef'}`;
    member.join(missing);
    await member.waitForStatus(missing, 'NOT_FOUND', 5000);
    member.leave(missing);
    assert.equal(zt.controller.networkController.sessions.get(missing, member.address), undefined);
    const online = metricValue((await zt.request('GET', '/metrics')).text, 'routeplane_online_members');
    assert.equal(online, 1, 'the one member that is online in a real network');
  });
});
