import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, test } from 'node:test';
import { Registry } from 'prom-client';
import { closeIdentityWorkers } from '../identity-pool.ts';
import { Verb } from '../packet.ts';
import { encodeMulticastGather, encodeMulticastLike, parseOkMulticastGather } from './multicast-codec.ts';
import { rootOf, startNode, vectorIdentities, waitFor } from './test-support.ts';
import type { IncomingOk } from './node-types.ts';
import { ZeroTierNode } from './zerotier-node.ts';

const [rootId, memberId, thirdId, fourthId] = vectorIdentities as [
  (typeof vectorIdentities)[0],
  (typeof vectorIdentities)[0],
  (typeof vectorIdentities)[0],
  (typeof vectorIdentities)[0],
];
const nodes: ZeroTierNode[] = [];
after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await closeIdentityWorkers();
});

async function started(...args: Parameters<typeof startNode>): Promise<ZeroTierNode> {
  const node = await startNode(...args);
  nodes.push(node);
  return node;
}

const registry = new Registry();
const root = await started(rootId, { isRoot: true, registry });
const member = await started(memberId, { roots: [rootOf(root)] });

test('a member HELLOs its root at start; both see each other in peers()', async () => {
  const atRoot = await waitFor('root learns the member', () => root.peer(member.address));
  assert.equal(atRoot.role, 'LEAF');
  assert.deepEqual(atRoot.version, { protocol: 11, major: 1, minor: 14, rev: 1 });
  assert.equal(atRoot.paths.length, 1);
  assert.deepEqual(atRoot.paths[0]!.address, { ip: '127.0.0.1', port: member.boundPorts.ipv4 });
  assert.ok(atRoot.identity.equals(memberId));

  const atMember = await waitFor('member gets OK(HELLO)', () => {
    const p = member.peer(root.address);
    return p?.version ? p : undefined;
  });
  assert.equal(atMember.role, 'PLANET');
  assert.equal(atMember.paths[0]!.preferred, true);
  assert.ok(atMember.latency >= 0, `latency ${atMember.latency} measured from OK(HELLO)`);
  assert.equal(root.stats.identityValidations.ok, 1);
  assert.equal(root.stats.received.HELLO, 1);
  assert.equal(member.stats.received.OK, 1);
  const metrics = await registry.getSingleMetricAsString('routeplane_udp_received_total');
  assert.match(metrics, /routeplane_udp_received_total\{verb="HELLO"\} 1/);
});

test('ECHO round trip: OK(ECHO) echoes the payload and answers our packet id', async () => {
  const got = new Promise<IncomingOk>((resolve) => member.onOk(Verb.ECHO, resolve));
  const payload = Uint8Array.from([1, 2, 3, 4, 5]);
  const id = member.send(root.address, Verb.ECHO, payload, { expectReply: true });
  const ok = await got;
  assert.equal(ok.inRePacketId, id);
  assert.equal(ok.requestVerb, Verb.ECHO);
  assert.equal(ok.source, root.address);
  assert.equal(ok.peer.address, root.address);
  assert.deepEqual([...ok.body], [...payload]);
});

test('OKs for packets sent without expectReply are dropped as unexpected', async () => {
  const before = member.stats.dropped.unexpected_ok ?? 0;
  member.send(root.address, Verb.ECHO, Uint8Array.of(9));
  await waitFor('unexpected OK dropped', () => (member.stats.dropped.unexpected_ok ?? 0) > before);
});

const third = await started(thirdId, {
  roots: [rootOf(root)],
  timing: { whoisRetry: 100, whoisTimeout: 500 },
});

test('WHOIS through the root: the root answers with the identity it learned from HELLO', async () => {
  await waitFor('root knows the third node', () => root.peer(third.address));
  const identity = await third.whois(member.address);
  assert.ok(identity);
  assert.ok(identity.equals(memberId));
  assert.equal(identity.privateKey, undefined);
  assert.ok(third.peer(member.address), 'the answer is learned as a peer');
  assert.equal(await third.whois('00000000aa'), undefined, 'nobody knows an address that does not exist');
});

test('relay: a packet for a peer without a direct path goes through the root, which introduces both', async () => {
  const rendezvousAtThird = new Promise((resolve) => third.onVerb(Verb.RENDEZVOUS, resolve));
  const got = new Promise<IncomingOk>((resolve) => third.onOk(Verb.ECHO, resolve));
  const relayedBefore = root.stats.relayed;
  const id = third.send(member.address, Verb.ECHO, Uint8Array.of(7, 7), { expectReply: true });
  const ok = await got;
  assert.equal(ok.inRePacketId, id);
  assert.deepEqual([...ok.body], [7, 7]);
  assert.ok(root.stats.relayed > relayedBefore, 'the root relayed');
  assert.ok((root.stats.sent.RENDEZVOUS ?? 0) >= 2, 'RENDEZVOUS to both peers');
  await rendezvousAtThird;
  // After the introduction both HELLO each other directly.
  const direct = await waitFor('member has a direct path to third', () =>
    member.peer(third.address)?.paths.find((p) => p.address.port === third.boundPorts.ipv4),
  );
  assert.equal(direct.address.ip, '127.0.0.1');
  await waitFor('third has a direct path to member', () =>
    third.peer(member.address)?.paths.find((p) => p.address.port === member.boundPorts.ipv4),
  );
});

test('fragments: a 5000-byte ECHO is fragmented on send and reassembled on both sides', async () => {
  const payload = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
  const got = new Promise<IncomingOk>((resolve) =>
    member.onOk(Verb.ECHO, (ok) => ok.body.length === 5000 && resolve(ok)),
  );
  const id = member.send(root.address, Verb.ECHO, payload, { expectReply: true });
  const ok = await got;
  assert.equal(ok.inRePacketId, id);
  assert.deepEqual(ok.body, payload);
});

test('MULTICAST_LIKE then MULTICAST_GATHER returns the subscriber (and the gather filter can hide it)', async () => {
  const group = { nwid: '6951fba29ad56e51', mac: 'ffffffffffff', adi: 0x0a931101 };
  member.send(root.address, Verb.MULTICAST_LIKE, encodeMulticastLike([group]));
  await waitFor(
    'root records the subscription',
    () => root.multicastSubscribers(group.nwid, group.mac, group.adi).length === 1,
  );

  const gather = async () => {
    const answer = new Promise<IncomingOk>((resolve) => third.onOk(Verb.MULTICAST_GATHER, resolve));
    third.send(
      root.address,
      Verb.MULTICAST_GATHER,
      encodeMulticastGather({ ...group, flags: 0, limit: 32 }),
      {
        expectReply: true,
      },
    );
    return parseOkMulticastGather((await answer).body);
  };
  const result = await gather();
  assert.deepEqual(result, { ...group, totalKnown: 1, members: [member.address] });

  const calls: string[] = [];
  root.setGatherFilter((nwid, requester, candidate) => {
    calls.push(`${nwid}:${requester}:${candidate}`);
    return false;
  });
  const sentBefore = root.stats.sent.OK ?? 0;
  third.send(root.address, Verb.MULTICAST_GATHER, encodeMulticastGather({ ...group, flags: 0, limit: 32 }));
  await waitFor('filter consulted', () => calls.length > 0);
  assert.deepEqual(calls, [`${group.nwid}:${third.address}:${member.address}`]);
  assert.equal(root.stats.sent.OK ?? 0, sentBefore, 'no answer when every candidate is filtered out');
  root.setGatherFilter(undefined);
});

test('NETWORK_CONFIG_REQUEST goes to the registered handler, or is refused with UNSUPPORTED_OPERATION', async () => {
  const nwid = Uint8Array.from(Buffer.from('6951fba29ad56e51', 'hex'));
  const refused = new Promise<{ code: number; body: Uint8Array }>((resolve) =>
    member.onError(Verb.NETWORK_CONFIG_REQUEST, resolve),
  );
  const id = member.send(root.address, Verb.NETWORK_CONFIG_REQUEST, nwid, { expectReply: true });
  const error = await refused;
  assert.equal(error.code, 0x05);
  assert.deepEqual([...error.body], [...nwid]);

  const seen = new Promise<{ payload: Uint8Array; packetId: bigint }>((resolve) =>
    root.onVerb(Verb.NETWORK_CONFIG_REQUEST, resolve),
  );
  const id2 = member.send(root.address, Verb.NETWORK_CONFIG_REQUEST, nwid, { expectReply: true });
  const request = await seen;
  assert.notEqual(id, id2);
  assert.equal(request.packetId, id2);
  assert.deepEqual([...request.payload], [...nwid]);
});

test('toPeerJson-ready views: the root lists everyone who said HELLO', () => {
  const addresses = root
    .peers()
    .map((p) => p.address)
    .sort();
  assert.deepEqual(addresses, [member.address, third.address].sort());
});

test('a root that was unreachable is found again: HELLO is retried until OK(HELLO) arrives', async () => {
  // A UDP relay on an ephemeral port stands in for the root's address; it drops everything until
  // "the root comes back", then forwards both ways.
  const lateRoot = await started(fourthId, { isRoot: true });
  const proxy = createSocket('udp4');
  await new Promise<void>((resolve) => proxy.bind(0, '127.0.0.1', resolve));
  let online = false;
  let orphanPort = 0;
  let forwardedHellos = 0;
  proxy.on('message', (msg, rinfo) => {
    if (!online) return;
    if (rinfo.port === lateRoot.boundPorts.ipv4) proxy.send(msg, orphanPort, '127.0.0.1');
    else {
      orphanPort = rinfo.port;
      forwardedHellos++;
      proxy.send(msg, lateRoot.boundPorts.ipv4!, '127.0.0.1');
    }
  });
  try {
    const endpoint = { ip: '127.0.0.1', port: proxy.address().port };
    const orphan = await started(vectorIdentities[4]!, {
      roots: [{ identity: fourthId.withoutPrivate(), endpoints: [endpoint] }],
      timing: { housekeepingInterval: 50, rootHelloRetry: 100 },
    });
    await new Promise((r) => setTimeout(r, 250)); // its first HELLOs go nowhere
    assert.equal(orphan.peer(fourthId.address)?.version, undefined);
    assert.ok((orphan.stats.sent.HELLO ?? 0) >= 2, 'HELLO is retried while unanswered');
    online = true;
    await waitFor('orphan re-HELLOs the root', () => orphan.peer(fourthId.address)?.version, 5000);
    assert.ok(lateRoot.peer(orphan.address));
    assert.ok(forwardedHellos >= 1);
  } finally {
    proxy.close();
  }
});
