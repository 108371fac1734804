// End to end over real UDP on 127.0.0.1: a TypeScript member that behaves like zerotier-one 1.14.1
// joins networks of a real controller (SQLite, HTTP API, ZeroTier node) and the controller's
// decisions are checked from both sides — what the member receives and what the API shows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestController, type TestController } from './helpers/controller-fixture.ts';
import { metricValue } from './support/prometheus-text.ts';
import { controllerRoot, memberIdentities } from './support/recorded-identities.ts';
import { TsMember } from './support/ts-member.ts';
import { Verb } from '../src/protocol/packet.ts';
import {
  decodeRevocationCredentials,
  verifyRevocation,
  type Revocation,
} from '../src/protocol/netconf/revocation.ts';

/** Members re-request this often (the client: 60 s); above the controller's 1 s repeat window. */
const REQUEST_INTERVAL = 1500;
const PUSH_DEADLINE_MS = 2000;

describe('joining a network over the ZeroTier protocol', () => {
  let zt: TestController;
  let nwid: string;
  let member: TsMember;
  let memberIp: string;
  const members: TsMember[] = [];

  async function startMember(index: number): Promise<TsMember> {
    const identity = memberIdentities(zt.controller.identity.address)[index];
    assert.ok(identity, `recorded identity #${index}`);
    const m = await TsMember.create({
      identity,
      roots: [controllerRoot(zt.controller)],
      requestInterval: REQUEST_INTERVAL,
    });
    members.push(m);
    return m;
  }

  async function pushAcks(): Promise<number> {
    const res = await zt.request('GET', '/metrics');
    assert.equal(res.status, 200);
    return metricValue(res.text, 'routeplane_config_push_acks_total');
  }

  before(async () => {
    zt = await startTestController();
    const res = await zt.request('POST', `/controller/network/${zt.controller.identity.address}______`, {
      name: 'join-test',
      private: true,
      v4AssignMode: { zt: true },
      ipAssignmentPools: [{ ipRangeStart: '10.144.0.10', ipRangeEnd: '10.144.0.250' }],
      routes: [
        { target: '10.144.0.0/24', via: null },
        { target: '10.60.0.0/16', via: '10.144.0.1' },
      ],
    });
    assert.equal(res.status, 200, res.text);
    nwid = res.body.id;
  });

  after(async () => {
    await Promise.all(members.map((m) => m.stop()));
    await zt.close();
  });

  it('an unknown member is denied, and appears in the API unauthorized with its identity', async () => {
    member = await startMember(0);
    member.join(nwid);
    await member.waitForStatus(nwid, 'ACCESS_DENIED', 10_000);
    assert.equal(member.config(nwid), undefined);
    assert.deepEqual(member.routes(nwid), []);
    assert.ok(member.counters.accessDenied >= 1);

    const res = await zt.request('GET', `/controller/network/${nwid}/member/${member.address}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.authorized, false);
    assert.equal(res.body.identity, member.identity.toString(false));
    assert.deepEqual(res.body.ipAssignments, []);

    const list = await zt.request('GET', `/controller/network/${nwid}/member`);
    assert.ok(member.address in list.body, 'listed in the member list');

    const peers = await zt.request('GET', '/peer');
    assert.equal(peers.status, 200);
    const peer = (
      peers.body as Array<{ address: string; versionMajor: number; paths: Array<{ address: string }> }>
    ).find((p) => p.address === member.address);
    assert.ok(peer, 'GET /peer lists the member');
    assert.equal(peer.versionMajor, 1);
    assert.deepEqual(
      peer.paths.map((p) => p.address),
      [`127.0.0.1/${member.port}`],
    );
  });

  it('authorizing through the API pushes a config within 2 s with the auto-assigned IP and the routes', async (t) => {
    const pushed = member.nextConfig(nwid, { source: 'push', timeoutMs: 5000 });
    const started = Date.now();
    const res = await zt.request('POST', `/controller/network/${nwid}/member/${member.address}`, {
      authorized: true,
    });
    assert.equal(res.status, 200, res.text);
    const event = await pushed;
    const latency = event.at - started;
    t.diagnostic(`push latency after authorization: ${latency} ms`);
    assert.ok(latency < PUSH_DEADLINE_MS, `config pushed after ${latency} ms`);

    // The IP the API shows is the one the member got, with the prefix of the route that holds it.
    assert.equal(res.body.ipAssignments.length, 1, JSON.stringify(res.body.ipAssignments));
    memberIp = res.body.ipAssignments[0];
    assert.match(memberIp, /^10\.144\.0\.\d+$/);
    assert.equal(member.status(nwid), 'OK');
    assert.deepEqual(member.assignedAddresses(nwid), [`${memberIp}/24`]);
    assert.equal(event.config.issuedTo, member.address);
    assert.equal(event.config.networkId, nwid);
    assert.equal(event.config.name, 'join-test');
    // The member reported linux/… from its first request: its on-link route comes via 0.0.0.0.
    assert.deepEqual(
      event.config.routes.map((r) => [r.target, r.via]),
      [
        ['10.144.0.0/24', '0.0.0.0'],
        ['10.60.0.0/16', '10.144.0.1'],
      ],
    );
    assert.ok(event.config.com, 'a certificate of membership for a private network');

    // The kernel table: the subnet from the address, the via route as the client installs it.
    assert.deepEqual(member.routes(nwid), [
      { target: '10.60.0.0/16', via: '10.144.0.1', src: memberIp, proto: 'static', metric: 5000 },
      { target: '10.144.0.0/24', via: null, src: memberIp, proto: 'kernel', metric: 0 },
    ]);
    assert.deepEqual(
      member.routeDecisions(nwid).map((d) => d.outcome),
      ['kernel-subnet', 'installed'],
    );
    // The push was acknowledged exactly as the client does it.
    await member.waitFor(() => member.counters.acksSent >= 1, 2000, 'the push acknowledged');
  });

  it('a route added through the API reaches the kernel table within 2 s, and the push is acknowledged', async (t) => {
    const acksBefore = await pushAcks();
    const sentBefore = member.counters.acksSent;
    const started = Date.now();
    const res = await zt.request('POST', `/controller/network/${nwid}`, {
      routes: [
        { target: '10.144.0.0/24', via: null },
        { target: '10.60.0.0/16', via: '10.144.0.1' },
        { target: '10.70.0.0/16', via: '10.144.0.1' },
      ],
    });
    assert.equal(res.status, 200, res.text);
    const route = await member.waitForRoute(nwid, '10.70.0.0/16', '10.144.0.1', PUSH_DEADLINE_MS);
    const latency = Date.now() - started;
    t.diagnostic(`route change to the member's kernel table: ${latency} ms`);
    assert.equal(route.src, memberIp);
    assert.equal(member.config(nwid)!.revision, res.body.revision, 'the config carries the network revision');
    assert.equal(member.configEvents(nwid).at(-1)!.source, 'push', 'pushed, not picked up by a re-request');

    assert.ok(member.counters.acksSent > sentBefore, 'the member acknowledged the push');
    const deadline = Date.now() + 2000;
    let acks = await pushAcks();
    while (acks <= acksBefore && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      acks = await pushAcks();
    }
    assert.ok(acks > acksBefore, `routeplane_config_push_acks_total ${acksBefore} → ${acks}`);
    const session = zt.controller.networkController.sessions.get(nwid, member.address);
    assert.ok(session?.lastPush?.ackedAt !== undefined, 'the controller matched the ack to its last push');
    assert.equal(session.lastPush.networkRevision, res.body.revision);
    // A client receiving pushes stops asking; the ack keeps it online for the next push.
    assert.ok(session.lastRequestAt >= started, 'the ack counts as a sign of life');
  });

  it('the member JSON shows it online, recently seen, with the version its requests carry', async () => {
    // Versions are recorded from an authorized request (the client re-requests on its schedule).
    await member.nextConfig(nwid, { source: 'reply', timeoutMs: REQUEST_INTERVAL * 3 });
    const res = await zt.request('GET', `/controller/network/${nwid}/member/${member.address}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.authorized, true);
    assert.equal(res.body.online, true);
    assert.equal(typeof res.body.lastSeen, 'number');
    const age = Date.now() - res.body.lastSeen;
    assert.ok(age >= 0 && age < 5000, `lastSeen ${age} ms ago`);
    assert.equal(res.body.physicalAddress, `127.0.0.1/${member.port}`);
    assert.deepEqual([res.body.vMajor, res.body.vMinor, res.body.vRev, res.body.vProto], [1, 14, 1, 12]);
    assert.deepEqual(res.body.ipAssignments, [memberIp]);
  });

  it('deauthorized: the next request is denied and the member keeps its last IPs and routes', async () => {
    const routesBefore = member.routes(nwid);
    const pushesBefore = member.counters.pushesReceived;
    const deniedBefore = member.counters.accessDenied;
    const res = await zt.request('POST', `/controller/network/${nwid}/member/${member.address}`, {
      authorized: false,
    });
    assert.equal(res.status, 200, res.text);
    await member.waitForStatus(nwid, 'ACCESS_DENIED', REQUEST_INTERVAL * 4);
    assert.ok(member.counters.accessDenied > deniedBefore);
    assert.equal(
      member.counters.pushesReceived,
      pushesBefore,
      'no config is pushed to a deauthorized member',
    );
    // PROTOCOL-NOTES §5: a denial does not remove anything on the member.
    assert.deepEqual(member.routes(nwid), routesBefore);
    assert.deepEqual(member.assignedAddresses(nwid), [`${memberIp}/24`]);
    assert.ok(member.config(nwid), 'the last config is kept');
  });

  it('deauthorizing a member revokes it at every other online member at once', async () => {
    const witness = await startMember(3);
    await witness.join(nwid);
    await witness.waitForStatus(nwid, 'ACCESS_DENIED', 5000);
    const authorized = await zt.request('POST', `/controller/network/${nwid}/member/${witness.address}`, {
      authorized: true,
    });
    assert.equal(authorized.status, 200);
    await witness.waitForStatus(nwid, 'OK', 5000);
    // Re-authorize the first member so it can be deauthorized again while the witness is online.
    await zt.request('POST', `/controller/network/${nwid}/member/${member.address}`, { authorized: true });
    await member.waitForStatus(nwid, 'OK', REQUEST_INTERVAL * 4);

    const received: Revocation[] = [];
    witness.node.onVerb(Verb.NETWORK_CREDENTIALS, (packet) => {
      received.push(...decodeRevocationCredentials(packet.payload));
    });
    const started = Date.now();
    const res = await zt.request('POST', `/controller/network/${nwid}/member/${member.address}`, {
      authorized: false,
    });
    assert.equal(res.status, 200);
    while (received.length === 0 && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 10));
    const revocation = received.find((rev) => rev.target === member.address);
    assert.ok(revocation, 'the witness received a revocation of the deauthorized member within 2 s');
    assert.equal(revocation.networkId, nwid);
    assert.ok(verifyRevocation(revocation, zt.controller.identity), 'signed by the controller');
    assert.ok(Number(revocation.threshold) >= started - 1000, 'revokes certificates issued up to now');
    const metrics = await zt.request('GET', '/metrics');
    assert.ok(metricValue(metrics.text, 'routeplane_revocations_total', { result: 'sent' }) > 0);
  });

  it('re-authorized: the member is OK again with the same address', async () => {
    const pushed = member.nextConfig(nwid, { source: 'push', timeoutMs: 5000 });
    const res = await zt.request('POST', `/controller/network/${nwid}/member/${member.address}`, {
      authorized: true,
    });
    assert.equal(res.status, 200);
    await pushed;
    assert.equal(member.status(nwid), 'OK');
    assert.deepEqual(member.assignedAddresses(nwid), [`${memberIp}/24`]);
  });

  it('a network that does not exist: NOT_FOUND', async () => {
    const suffix = nwid.endsWith('ffffff') ? 'fffffe' : 'ffffff';
    const missing = `${zt.controller.identity.address}${suffix}`;
    member.join(missing);
    await member.waitForStatus(missing, 'NOT_FOUND', 5000);
    assert.ok(member.counters.notFound >= 1);
    assert.equal(member.config(missing), undefined);
    assert.equal((await zt.request('GET', `/controller/network/${missing}`)).status, 404);
    member.leave(missing);
    assert.equal(member.status(missing), undefined);
    assert.equal(member.status(nwid), 'OK', 'other networks are not affected');
  });

  it('a known address presenting another identity is denied; the first identity stays pinned', async () => {
    // A second node with the same address and another key cannot be made (the address is a
    // memory-hard hash of the key), so the record is pinned to another key the way a first request
    // would pin it, through the service; then the real member asks over UDP.
    const latecomer = await startMember(1);
    const [other] = memberIdentities(zt.controller.identity.address).slice(2);
    assert.ok(other);
    const pinned = `${latecomer.address}:0:${Buffer.from(other.publicKey).toString('hex')}`;
    await zt.controller.service.handleConfigRequest({
      networkId: nwid,
      address: latecomer.address,
      identity: pinned,
    });
    const auth = await zt.request('POST', `/controller/network/${nwid}/member/${latecomer.address}`, {
      authorized: true,
    });
    assert.equal(auth.status, 200);

    latecomer.join(nwid);
    await latecomer.waitForStatus(nwid, 'ACCESS_DENIED', 10_000);
    assert.equal(
      latecomer.config(nwid),
      undefined,
      'an authorized record does not help a mismatched identity',
    );
    const res = await zt.request('GET', `/controller/network/${nwid}/member/${latecomer.address}`);
    assert.equal(res.body.identity, pinned, 'the first identity is kept');
    assert.equal(res.body.authorized, true);
  });

  it('a public network authorizes a member on its first request and sends it a config', async () => {
    const created = await zt.request('POST', `/controller/network/${zt.controller.identity.address}______`, {
      name: 'public-test',
      private: false,
      v4AssignMode: { zt: true },
      ipAssignmentPools: [{ ipRangeStart: '10.145.0.10', ipRangeEnd: '10.145.0.250' }],
      routes: [{ target: '10.145.0.0/24', via: null }],
    });
    assert.equal(created.status, 200, created.text);
    const open = created.body.id as string;
    // A freshly generated identity this time (TsMember.create without one), validated by the controller.
    const m = await TsMember.create({
      roots: [controllerRoot(zt.controller)],
      requestInterval: REQUEST_INTERVAL,
    });
    members.push(m);
    assert.ok(!memberIdentities(zt.controller.identity.address).some((id) => id.address === m.address));
    m.join(open);
    const config = await m.waitForConfig(open, 0, 10_000);
    assert.equal(m.status(open), 'OK');
    assert.equal(m.counters.accessDenied, 0, 'never denied');
    assert.equal(config.type, 1, 'netconf type public');
    assert.equal(m.configEvents(open)[0]!.source, 'reply');
    const res = await zt.request('GET', `/controller/network/${open}/member/${m.address}`);
    assert.equal(res.body.authorized, true);
    assert.equal(res.body.lastAuthorizedCredentialType, 'public');
    assert.deepEqual(
      m.assignedAddresses(open),
      res.body.ipAssignments.map((ip: string) => `${ip}/24`),
    );
    assert.deepEqual(
      m.routes(open).map((r) => [r.target, r.proto]),
      [['10.145.0.0/24', 'kernel']],
    );
  });
});
