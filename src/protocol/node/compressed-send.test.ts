import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeIdentityWorkers } from '../identity-pool.ts';
import { lz4CompressBlock } from '../lz4-compress.ts';
import { Verb } from '../packet.ts';
import { rootOf, startNode, vectorIdentities, waitFor } from './test-support.ts';
import type { IncomingPacket } from './node-types.ts';
import type { ZeroTierNode } from './zerotier-node.ts';

const [rootId, memberId] = vectorIdentities as [(typeof vectorIdentities)[0], (typeof vectorIdentities)[0]];
const nodes: ZeroTierNode[] = [];
after(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await closeIdentityWorkers();
});

test('send with `compressed` sets the verb flag; the receiver sees the decompressed payload', async () => {
  const root = await startNode(rootId, { isRoot: true });
  nodes.push(root);
  const member = await startNode(memberId, { roots: [rootOf(root)] });
  nodes.push(member);
  await waitFor('root learns the member', () => root.peer(member.address));

  const received: IncomingPacket[] = [];
  member.onVerb(Verb.NETWORK_CONFIG, (p) => void received.push(p));
  const plain = new TextEncoder().encode('netconf chunk '.repeat(150)); // 2,100 bytes
  const block = lz4CompressBlock(plain);
  assert.ok(block.length < 200);
  root.send(member.address, Verb.NETWORK_CONFIG, block, { compressed: true });
  root.send(member.address, Verb.NETWORK_CONFIG, plain.subarray(0, 100));
  await waitFor('both packets arrive', () => (received.length === 2 ? true : undefined));
  assert.deepEqual(Uint8Array.from(received[0]!.payload), plain);
  assert.deepEqual(Uint8Array.from(received[1]!.payload), plain.slice(0, 100));
  // One datagram each: the compressed one was never fragmented.
  assert.equal(member.stats.dropped.decompress_failed ?? 0, 0);
});
