import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigAdmission, type ShedReason } from './config-admission.ts';

function harness(options: { maxActive: number; maxQueued: number; maxWaitMs: number; congestedMs?: number }) {
  let now = 0;
  const started: string[] = [];
  const shed: [string, ShedReason][] = [];
  const finishers = new Map<string, () => void>();
  const admission = new ConfigAdmission<string>({
    ...options,
    clock: () => now,
    serve: (item) => {
      started.push(item);
      return new Promise<void>((resolve) => finishers.set(item, resolve));
    },
    shed: (item, reason) => shed.push([item, reason]),
  });
  return {
    admission,
    started,
    shed,
    advance: (ms: number) => (now += ms),
    finish: async (item: string) => {
      finishers.get(item)!();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

test('serves at once while slots are free, then queues first come first served', async () => {
  const h = harness({ maxActive: 2, maxQueued: 10, maxWaitMs: 100 });
  for (const item of ['a', 'b', 'c', 'd']) h.admission.offer(item, 'refresh');
  assert.deepEqual(h.started, ['a', 'b']);
  assert.equal(h.admission.stats.queuedRefresh, 2);
  await h.finish('a');
  await h.finish('b');
  assert.deepEqual(h.started, ['a', 'b', 'c', 'd']);
  assert.deepEqual(h.shed, []);
});

test('members without a config are served before refreshes', async () => {
  const h = harness({ maxActive: 1, maxQueued: 10, maxWaitMs: 100 });
  h.admission.offer('busy', 'refresh');
  h.admission.offer('r1', 'refresh');
  h.admission.offer('f1', 'first');
  h.admission.offer('r2', 'refresh');
  h.admission.offer('f2', 'first');
  for (const item of ['busy', 'f1', 'f2', 'r1']) await h.finish(item);
  assert.deepEqual(h.started, ['busy', 'f1', 'f2', 'r1', 'r2']);
});

test('a request that waited longer than maxWaitMs is shed, not served late', async () => {
  const h = harness({ maxActive: 1, maxQueued: 10, maxWaitMs: 100, congestedMs: 1000 });
  h.admission.offer('busy', 'refresh');
  h.admission.offer('old', 'refresh');
  h.advance(60);
  h.admission.offer('young', 'refresh');
  h.advance(50); // old waited 110 ms, young 50 ms
  await h.finish('busy');
  assert.deepEqual(h.started, ['busy', 'young']);
  assert.deepEqual(h.shed, [['old', 'expired']]);
  assert.equal(h.admission.stats.shedExpired, 1);
});

test('a full queue sheds the oldest refresh; first-config requests displace refreshes only', async () => {
  const h = harness({ maxActive: 1, maxQueued: 2, maxWaitMs: 1000, congestedMs: 1000 });
  h.admission.offer('busy', 'refresh');
  h.admission.offer('r1', 'refresh');
  h.admission.offer('r2', 'refresh');
  h.admission.offer('r3', 'refresh'); // sheds r1
  h.admission.offer('f1', 'first'); // sheds r2
  h.admission.offer('f2', 'first'); // sheds r3
  h.admission.offer('r4', 'refresh'); // queue holds only first-config requests: r4 itself is shed
  h.admission.offer('f3', 'first'); // no refresh left: the oldest first-config request goes
  assert.deepEqual(h.shed, [
    ['r1', 'queue-full'],
    ['r2', 'queue-full'],
    ['r3', 'queue-full'],
    ['r4', 'queue-full'],
    ['f1', 'queue-full'],
  ]);
  await h.finish('busy');
  await h.finish('f2');
  assert.deepEqual(h.started, ['busy', 'f2', 'f3']);
  assert.equal(h.admission.stats.shedQueueFull, 5);
});

test('congested: the newest waiting request is served first', async () => {
  const h = harness({ maxActive: 1, maxQueued: 10, maxWaitMs: 100, congestedMs: 20 });
  h.admission.offer('busy', 'refresh');
  h.admission.offer('r1', 'refresh');
  h.admission.offer('r2', 'refresh');
  h.advance(5);
  h.admission.offer('r3', 'refresh');
  await h.finish('busy'); // oldest waited 5 ms: not congested, FIFO
  assert.deepEqual(h.started, ['busy', 'r1']);
  h.advance(30); // r2 waited 35 ms: congested
  h.admission.offer('r4', 'refresh');
  await h.finish('r1');
  assert.deepEqual(h.started, ['busy', 'r1', 'r4']);
});

test('under sustained overload it keeps every slot busy and the queue bounded', async () => {
  let now = 0;
  let served = 0;
  let shed = 0;
  const running = new Set<() => void>();
  const admission = new ConfigAdmission<number>({
    maxActive: 4,
    maxQueued: 50,
    maxWaitMs: 40,
    clock: () => now,
    serve: () =>
      new Promise<void>((resolve) => {
        running.add(resolve);
      }),
    shed: () => shed++,
  });
  // 3 arrivals per ms, capacity 4 per 2 ms = 2 per ms.
  for (let ms = 0; ms < 1000; ms++) {
    now = ms;
    for (let i = 0; i < 3; i++) admission.offer(ms * 3 + i, 'refresh');
    if (ms % 2 === 1) {
      const finishing = [...running];
      running.clear();
      for (const finish of finishing) finish();
      served += finishing.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { queuedRefresh, active } = admission.stats;
    assert.ok(queuedRefresh <= 50);
    if (ms > 10) assert.equal(active, 4, `slots idle at ${ms} ms`);
  }
  assert.ok(served >= 1990, `served ${served}`);
  assert.ok(shed > 900, `shed ${shed}`);
});
