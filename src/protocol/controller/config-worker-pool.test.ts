import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { IdentityWithPrivate } from '../identity.ts';
import { buildConfigPackets } from './config-builder.ts';
import { controller, sampleRequest } from './config-test-fixtures.ts';
import { ConfigWorkerPool } from './config-worker-pool.ts';

const pools: ConfigWorkerPool[] = [];
after(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
});

function pool(size: number, inlineWhenQueued = Infinity): ConfigWorkerPool {
  const p = new ConfigWorkerPool({ controller: controller as IdentityWithPrivate, size, inlineWhenQueued });
  pools.push(p);
  return p;
}

async function ready(p: ConfigWorkerPool): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (p.readyWorkers < p.size) {
    if (Date.now() > deadline) throw new Error('config workers did not start');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('workers build byte-identical packets to the in-thread builder for the same request', async () => {
  const workers = pool(2);
  await ready(workers);
  const frames = [{ kind: 'reply' as const, inRePacketId: 0x1122334455667788n }, { kind: 'push' as const }];
  for (const routes of [1, 128]) {
    for (const frame of frames) {
      const request = { ...sampleRequest(routes), flags: frame.kind === 'push' ? 1 : 0 };
      const here = buildConfigPackets(controller, request, frame);
      const results = await Promise.all([1, 2, 3, 4].map(() => workers.build(request, frame)));
      for (const there of results) {
        assert.equal(there.updateId, here.updateId);
        assert.equal(there.bytes, here.bytes);
        assert.deepEqual(
          there.packets.map((p) => ({ compressed: p.compressed, payload: Uint8Array.from(p.payload) })),
          here.packets,
        );
      }
    }
  }
  assert.equal(workers.builtInline, 0);
  assert.equal(workers.inFlight, 0);
});

test('with no worker, or all of them busy, the calling thread builds', async () => {
  const none = pool(0);
  const request = sampleRequest();
  const built = await none.build(request, { kind: 'push' });
  assert.deepEqual(built, buildConfigPackets(controller, request, { kind: 'push' }));
  assert.equal(none.builtInline, 1);

  const one = pool(1, 2);
  await ready(one);
  await Promise.all(Array.from({ length: 6 }, () => one.build(request, { kind: 'push' })));
  assert.ok(one.builtInline >= 1 && one.builtInline <= 4, `${one.builtInline} built inline`);
});

test('errors come back as rejections; close() rejects what is in flight', async () => {
  const workers = pool(1);
  await ready(workers);
  const broken = { ...sampleRequest(), member: { ...sampleRequest().member, identity: undefined } };
  await assert.rejects(workers.build(broken, { kind: 'push' }), /no known identity/);
  const pending = assert.rejects(workers.build(sampleRequest(128), { kind: 'push' }), /closed/);
  await workers.close();
  await pending;
  await assert.rejects(workers.build(sampleRequest(), { kind: 'push' }), /closed/);
});

test('a worker keeps the network it was sent and is sent it again when the record changed', async () => {
  const workers = pool(1);
  await ready(workers);
  const request = sampleRequest(3);
  const frame = { kind: 'push' as const };
  const first = await workers.build(request, frame);
  // Same record object: sent without the network; the worker's copy gives the same config.
  assert.deepEqual(await workers.build(request, frame), first);
  // A new record for the network (renamed): the config says so.
  const renamed = { ...request, network: { ...request.network, name: 'renamed-network' } };
  const built = await workers.build(renamed, frame);
  assert.deepEqual(built, buildConfigPackets(controller, renamed, frame));
  assert.notDeepEqual(built, first);
  // And back to the first record object: sent again, since the worker now holds the renamed one.
  assert.deepEqual(await workers.build(request, frame), first);
});

test('requests made in one event-loop turn travel as one batch and each gets its own result', async () => {
  const workers = pool(1);
  await ready(workers);
  const frame = { kind: 'push' as const };
  // More than a worker sends back in one message (8), each request different (its update id and
  // its route count), so a result given to the wrong request would not match.
  const requests = Array.from({ length: 21 }, (_, i) => ({
    ...sampleRequest(1 + i),
    updateId: BigInt(0x5000 + i),
  }));
  const results = await Promise.all(requests.map((request) => workers.build(request, frame)));
  results.forEach((built, i) => {
    assert.equal(built.updateId, BigInt(0x5000 + i));
    assert.deepEqual(
      built.packets.map((p) => Uint8Array.from(p.payload)),
      buildConfigPackets(controller, requests[i]!, frame).packets.map((p) => p.payload),
      `request ${i}`,
    );
  });
  assert.equal(workers.builtInline, 0);
  assert.equal(workers.inFlight, 0);
});

test('a worker keeps each member’s record and routes it was sent; any new object, or forgetting when full, sends them again', async () => {
  const workers = new ConfigWorkerPool({
    controller: controller as IdentityWithPrivate,
    size: 1,
    maxSentMembers: 2,
  });
  pools.push(workers);
  await ready(workers);
  const frame = { kind: 'push' as const };
  const fresh = (request: ReturnType<typeof sampleRequest>) => buildConfigPackets(controller, request, frame);
  const a = sampleRequest(3);
  assert.deepEqual(await workers.build(a, frame), fresh(a));
  // The very same objects: they stay behind and the worker's copies give the same config.
  assert.deepEqual(await workers.build({ ...a }, frame), fresh(a));
  // Same member record, new routes: the config has the new routes.
  const rerouted = { ...a, routes: [...a.routes, { target: '10.77.0.0/16', via: '10.1.2.1' }] };
  const built = await workers.build(rerouted, frame);
  assert.deepEqual(built, fresh(rerouted));
  assert.notDeepEqual(built, fresh(a));
  // A new member record (another address assigned): the config has it.
  const readdressed = { ...rerouted, member: { ...rerouted.member, ipAssignments: ['10.1.2.4'] } };
  assert.deepEqual(await workers.build(readdressed, frame), fresh(readdressed));
  // Two more members (other networks) overflow what the worker keeps: it is told to forget, and
  // the first member's unchanged objects are then sent again rather than looked up in vain.
  for (const suffix of ['000002', '000003']) {
    const id = `${controller.address}${suffix}`;
    const other = { ...a, network: { ...a.network, id }, member: { ...a.member, networkId: id } };
    assert.deepEqual(await workers.build(other, frame), fresh(other));
  }
  assert.deepEqual(await workers.build(readdressed, frame), fresh(readdressed));
  assert.equal(workers.builtInline, 0);
});
