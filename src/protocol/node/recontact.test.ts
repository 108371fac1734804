// A root that cannot understand a node talking to it — a new process with an empty peer table after
// a restart or a takeover, or a peer encrypting with AES-GMAC-SIV because a zerotier-one held our
// identity before — says HELLO to it, so the node is heard again at once instead of at its next own
// HELLO (a client HELLOs its roots only every ~4 minutes).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, test } from 'node:test';
import { closeIdentityWorkers } from '../identity-pool.ts';
import { armor } from '../packet-armor.ts';
import { Cipher, IDX_VERB, Verb, buildPacket, setCipher, source } from '../packet.ts';
import { rootOf, startNode, vectorIdentities, waitFor } from './test-support.ts';
import type { IdentityLookup } from './node-types.ts';
import type { ZeroTierNode } from './zerotier-node.ts';

const [rootId, memberId, , , otherId] = vectorIdentities as [
  (typeof vectorIdentities)[0],
  (typeof vectorIdentities)[0],
  (typeof vectorIdentities)[0],
  (typeof vectorIdentities)[0],
  (typeof vectorIdentities)[0],
];
const nodes: ZeroTierNode[] = [];
const sockets: Socket[] = [];
after(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all(nodes.map((n) => n.stop()));
  await closeIdentityWorkers();
});

async function started(...args: Parameters<typeof startNode>): Promise<ZeroTierNode> {
  const node = await startNode(...args);
  nodes.push(node);
  return node;
}

/** A root that knew `member`, then a fresh process with the same identity on the same port. */
async function restartedRoot(lookup: IdentityLookup | undefined) {
  const first = await started(rootId, { isRoot: true });
  const port = first.boundPorts.ipv4!;
  const member = await started(memberId, { roots: [rootOf(first)] });
  await waitFor('the member is heard by its root', () => member.peer(rootId.address)?.version);
  await first.stop();
  const root = await started(rootId, { isRoot: true, port });
  root.setIdentityLookup(lookup);
  return { root, member };
}

const echoAnswered = (member: ZeroTierNode, root: ZeroTierNode) =>
  new Promise<boolean>((resolve) => {
    const off = member.onOk(Verb.ECHO, () => {
      off();
      resolve(true);
    });
    member.send(root.address, Verb.ECHO, Uint8Array.of(1), { expectReply: true });
    setTimeout(() => resolve(false), 400);
  });

test('a restarted root HELLOs a member it knew as soon as the member talks to it', async () => {
  const asked: string[] = [];
  const { root, member } = await restartedRoot(async (address) => {
    asked.push(address);
    return address === memberId.address ? memberId.toString(false) : undefined;
  });
  const hellosBefore = member.stats.received.HELLO ?? 0;
  assert.equal(await echoAnswered(member, root), false, 'the first packet cannot be understood');
  assert.equal(root.stats.dropped.unknown_peer, 1);
  await waitFor('the root says HELLO', () => (member.stats.received.HELLO ?? 0) > hellosBefore);
  await waitFor('the root hears the OK(HELLO)', () => root.peer(memberId.address)?.version);
  assert.equal(await echoAnswered(member, root), true, 'from then on the member is understood');
  assert.deepEqual(asked, [memberId.address]);
  assert.equal(root.stats.identityValidations.ok, 1, 'the looked-up identity was validated');
});

test('without a lookup, or for an unknown or forged identity, nobody is contacted', async () => {
  const forged = `${otherId.address}${memberId.toString(false).slice(10)}`;
  for (const lookup of [undefined, async () => undefined, async () => forged]) {
    const { root, member } = await restartedRoot(lookup);
    const hellosBefore = member.stats.received.HELLO ?? 0;
    assert.equal(await echoAnswered(member, root), false);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(member.stats.received.HELLO ?? 0, hellosBefore);
    assert.equal(root.peer(memberId.address), undefined);
  }
});

test('the lookup runs once per address per recontact interval, however many packets arrive', async () => {
  let lookups = 0;
  const { root, member } = await restartedRoot(async () => {
    lookups++;
    return undefined;
  });
  for (let i = 0; i < 20; i++) member.send(root.address, Verb.ECHO, Uint8Array.of(i));
  await waitFor('all dropped', () => (root.stats.dropped.unknown_peer ?? 0) >= 20);
  assert.equal(lookups, 1);
});

test('a known peer encrypting with AES-GMAC-SIV gets a HELLO (rate-limited) telling it our version', async () => {
  const root = await started(rootId, { isRoot: true });
  const socket = createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const received: Uint8Array[] = [];
  socket.on('message', (msg) => received.push(new Uint8Array(msg)));
  // The member is known to the root (it said HELLO from its own node), then sends AES packets
  // from this socket: the HELLO must go back where they came from.
  await started(memberId, { roots: [rootOf(root)] });
  await waitFor('the root knows the member', () => root.peer(memberId.address));
  const key = memberId.agree(rootId);
  for (let i = 0; i < 3; i++) {
    const packet = buildPacket({ destination: rootId.address, source: memberId.address, verb: Verb.ECHO });
    armor(packet, key, Cipher.POLY1305_SALSA2012);
    setCipher(packet, Cipher.AES_GMAC_SIV);
    socket.send(packet, root.boundPorts.ipv4!, '127.0.0.1');
  }
  await waitFor('the AES packets are dropped', () => (root.stats.dropped.unsupported_cipher ?? 0) >= 3);
  await waitFor('a HELLO comes back', () => received.length > 0);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(received.length, 1, 'one HELLO per recontact interval');
  assert.equal(received[0]![IDX_VERB]! & 0x1f, Verb.HELLO);
  assert.equal(source(received[0]!), rootId.address);
});
