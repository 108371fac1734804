// Hostile and broken datagrams: each is dropped with a counted reason and the node keeps serving.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { Identity } from '../identity.ts';
import { closeIdentityWorkers } from '../identity-pool.ts';
import { armor, dearmor } from '../packet-armor.ts';
import { IDX_VERB, Verb, buildPacket, packetId, payload, setCipher, verb } from '../packet.ts';
import { buildHelloPacket } from './hello-codec.ts';
import type { NodeStats } from './node-metrics.ts';
import { encodeOk } from './reply-codec.ts';
import { rootOf, startNode, vectorIdentities, waitFor } from './test-support.ts';
import type { IncomingOk } from './node-types.ts';

const [rootId, memberId, rawId] = [vectorIdentities[0]!, vectorIdentities[1]!, vectorIdentities[2]!];
// Short fragment timeout: mutants flagged "fragmented" wait for fragments that never come.
const root = await startNode(rootId, {
  isRoot: true,
  timing: { housekeepingInterval: 50, fragmentTimeout: 50 },
});
const member = await startNode(memberId, { roots: [rootOf(root)] });
const socket = createSocket('udp4');
await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
const inbox: Uint8Array[] = [];
socket.on('message', (m) => inbox.push(new Uint8Array(m)));
const rootPort = root.boundPorts.ipv4!;
const key = rawId.agree(rootId);

after(async () => {
  socket.close();
  await Promise.all([root.stop(), member.stop()]);
  await closeIdentityWorkers();
});

function sendRaw(datagram: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.send(datagram, rootPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
  );
}

/** A valid armored packet from the raw peer to the root. */
function packet(v: number, body: Uint8Array, id?: bigint): Uint8Array {
  const p = buildPacket({
    destination: root.address,
    source: rawId.address,
    verb: v,
    payload: body,
    packetId: id,
  });
  armor(p, key, 1);
  return p;
}

function dropped(reason: keyof NodeStats['dropped']): number {
  return root.stats.dropped[reason] ?? 0;
}

/** Everything the root accounted for: authenticated packets, drops and relays. */
function accounted(s: NodeStats = root.stats): number {
  const sum = (r: Record<string, number | undefined>) =>
    Object.values(r).reduce<number>((a, b) => a + (b ?? 0), 0);
  return sum(s.received) + sum(s.dropped) + s.relayed;
}

async function expectDrop(reason: keyof NodeStats['dropped'], datagram: Uint8Array): Promise<void> {
  const before = dropped(reason);
  await sendRaw(datagram);
  await waitFor(`drop reason ${reason}`, () => dropped(reason) > before);
}

test('the raw peer introduces itself with a hand-built HELLO', async () => {
  const hello = buildHelloPacket({
    destination: root.address,
    key,
    fields: { protocol: 11, major: 1, minor: 14, revision: 1, timestamp: 1n, identity: rawId, sentTo: null },
  });
  armor(hello, key, 0);
  await sendRaw(hello);
  await waitFor('root learns the raw peer', () => root.peer(rawId.address));
  await waitFor('OK(HELLO) arrives', () => inbox.length > 0);
});

test('truncated, oversized and malformed datagrams are dropped by reason', async () => {
  await expectDrop('too_short', new Uint8Array(27));
  await expectDrop(
    'too_short',
    Uint8Array.from({ length: 16 }, (_, i) => (i === 13 ? 0xff : 0)),
  );
  await expectDrop('too_long', new Uint8Array(10_025));
  const echo = packet(Verb.ECHO, Uint8Array.of(1, 2, 3));
  await expectDrop('bad_mac', echo.subarray(0, echo.length - 1)); // the length is part of the key
  const badFragment = new Uint8Array(40);
  badFragment.set(rootId.addressBytes(), 8);
  badFragment[13] = 0xff;
  badFragment[14] = (9 << 4) | 1; // 9 fragments: more than ZeroTier allows
  await expectDrop('fragment_invalid', badFragment);
});

test('forged MACs, wrong keys and foreign ciphers are dropped', async () => {
  const flipped = packet(Verb.ECHO, Uint8Array.of(1, 2, 3));
  flipped[flipped.length - 1]! ^= 0x01;
  await expectDrop('bad_mac', flipped);
  const wrongKey = buildPacket({ destination: root.address, source: rawId.address, verb: Verb.ECHO });
  armor(wrongKey, new Uint8Array(48).fill(7), 1);
  await expectDrop('bad_mac', wrongKey);
  const aes = packet(Verb.ECHO, Uint8Array.of(1));
  setCipher(aes, 3);
  await expectDrop('unsupported_cipher', aes);
  const stranger = buildPacket({ destination: root.address, source: '0a0b0c0d0e', verb: Verb.ECHO });
  await expectDrop('unknown_peer', stranger);
});

test('a replayed datagram is dropped even though its MAC is valid', async () => {
  const echo = packet(Verb.ECHO, Uint8Array.of(4, 2));
  const before = root.stats.received.ECHO ?? 0;
  await sendRaw(echo);
  await waitFor('first copy answered', () => (root.stats.received.ECHO ?? 0) > before);
  await expectDrop('replayed', echo);
  assert.equal(root.stats.received.ECHO, before + 1);
});

test('replayed and unsolicited OKs: only the first OK answering our packet reaches the handler', async () => {
  const oks: IncomingOk[] = [];
  const off = root.onOk(Verb.ECHO, (ok) => oks.push(ok));
  inbox.length = 0;
  const id = root.send(rawId.address, Verb.ECHO, Uint8Array.of(9, 9), { expectReply: true });
  const echo = await waitFor('ECHO reaches the raw peer', () => inbox.find((d) => packetId(d) === id));
  assert.equal(dearmor(echo, key), true);
  assert.equal(verb(echo), Verb.ECHO);
  const ok = packet(Verb.OK, encodeOk(Verb.ECHO, id, payload(echo)));
  await sendRaw(ok);
  await waitFor('OK delivered', () => oks.length === 1);
  await expectDrop('replayed', ok);
  await expectDrop('unexpected_ok', packet(Verb.OK, encodeOk(Verb.ECHO, 0x1234n)));
  assert.equal(oks.length, 1);
  off();
});

test('bad HELLOs: wrong address, identity failing validation', async () => {
  const mismatched = buildHelloPacket({
    destination: root.address,
    key,
    fields: { protocol: 11, major: 1, minor: 14, revision: 1, timestamp: 1n, identity: rawId, sentTo: null },
  });
  mismatched.set(Uint8Array.of(1, 2, 3, 4, 5), 13); // source no longer the identity's address
  armor(mismatched, key, 0);
  await expectDrop('hello_address_mismatch', mismatched);

  // Someone else's key under a made-up address: authentic MAC, but the address is not derived from the key.
  const impostor = new Identity('0102030405', rawId.publicKey, rawId.privateKey);
  const impostorKey = impostor.agree(rootId);
  const hello = buildHelloPacket({
    destination: root.address,
    key: impostorKey,
    fields: {
      protocol: 11,
      major: 1,
      minor: 14,
      revision: 1,
      timestamp: 1n,
      identity: impostor,
      sentTo: null,
    },
  });
  armor(hello, impostorKey, 0);
  const failedBefore = root.stats.identityValidations.failed;
  await expectDrop('identity_invalid', hello);
  assert.equal(root.stats.identityValidations.failed, failedBefore + 1);
  assert.equal(root.peer('0102030405'), undefined);
});

test('garbage LZ4 and unknown verbs are dropped after authentication', async () => {
  const compressed = buildPacket({
    destination: root.address,
    source: rawId.address,
    verb: Verb.ECHO,
    payload: Uint8Array.of(0xff, 0xff),
  });
  compressed[IDX_VERB] = Verb.ECHO | 0x80;
  armor(compressed, key, 1);
  await expectDrop('decompress_failed', compressed);
  await expectDrop('unknown_verb', packet(0x1f, new Uint8Array(4)));
  await expectDrop('malformed', packet(Verb.MULTICAST_GATHER, new Uint8Array(5)));
});

test('a root relays fragments for a peer it knows, counts hops, and refuses too many hops', async () => {
  await waitFor('root knows the member', () => root.peer(member.address));
  const fragment = new Uint8Array(40);
  fragment.set(memberId.addressBytes(), 8);
  fragment[13] = 0xff;
  fragment[14] = (2 << 4) | 1;
  const relayed = root.stats.relayed;
  await sendRaw(fragment);
  await waitFor('fragment relayed', () => root.stats.relayed > relayed);
  fragment[15] = 3; // ZT_RELAY_MAX_HOPS
  await expectDrop('relay_hops', fragment);
  fragment.set(Uint8Array.of(9, 9, 9, 9, 9), 8);
  fragment[15] = 0;
  await expectDrop('relay_no_path', fragment);
});

test('fast-check: thousands of random and mutated datagrams are all accounted for; the node keeps serving', async () => {
  const random = fc.uint8Array({ minLength: 0, maxLength: 1500 });
  const mutated = fc
    .record({
      verb: fc.constantFrom(
        Verb.ECHO,
        Verb.OK,
        Verb.WHOIS,
        Verb.MULTICAST_LIKE,
        Verb.MULTICAST_GATHER,
        Verb.HELLO,
      ),
      body: fc.uint8Array({ maxLength: 200 }),
      flips: fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
    })
    .map(({ verb: v, body, flips }) => {
      const p = packet(v, body);
      for (const f of flips) p[f.at % p.length]! ^= f.xor;
      return p;
    });
  const samples = fc.sample(fc.oneof(random, mutated), { numRuns: 3000, seed: 42 });
  const start = accounted();
  let sent = 0;
  for (let i = 0; i < samples.length; i += 100) {
    const batch = samples.slice(i, i + 100);
    for (const datagram of batch) await sendRaw(datagram);
    sent += batch.length;
    // Heads of "fragmented" mutants wait for their missing fragments and count when they time out.
    await waitFor(`batch ${i / 100} accounted for`, () => accounted() - start >= sent, 5000);
  }
  assert.equal(accounted() - start, samples.length);
  assert.equal(root.stats.dropped.internal_error, undefined);
  assert.equal(root.stats.dropped.handler_error, undefined);

  const got = new Promise<IncomingOk>((resolve) => member.onOk(Verb.ECHO, resolve));
  const id = member.send(root.address, Verb.ECHO, Uint8Array.of(1), { expectReply: true });
  assert.equal((await got).inRePacketId, id);
});
