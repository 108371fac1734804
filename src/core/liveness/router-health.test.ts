import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  healthState,
  initialHealth,
  nextHealth,
  type HealthInput,
  type RouterHealthRecord,
} from './router-health.ts';

const run = (record: RouterHealthRecord, inputs: HealthInput[]) =>
  inputs.reduce((r, i) => nextHealth(r, i), record);

test('one miss is suspect, two in a row are down, an answer heals', () => {
  const start = initialHealth(0);
  const suspect = run(start, [{ kind: 'miss', at: 1000 }]);
  assert.equal(healthState(suspect), 'suspect');
  assert.equal(suspect.healthySince, 0, 'a suspect router keeps its healthy-since');
  const down = run(suspect, [{ kind: 'miss', at: 2000 }]);
  assert.equal(healthState(down), 'down');
  assert.equal(down.since, 2000);
  assert.equal(down.healthySince, null);
  const back = run(down, [{ kind: 'answer', at: 5000 }]);
  assert.equal(healthState(back), 'healthy');
  assert.equal(back.healthySince, 5000, 'healthy again from now: failback waits from here');
  const blip = run(back, [
    { kind: 'miss', at: 6000 },
    { kind: 'answer', at: 6100 },
  ]);
  assert.equal(blip.healthySince, 5000, 'a single miss does not restart the healthy period');
});

test('draining is shown unless the router is down, and survives answers', () => {
  const draining = run(initialHealth(0), [
    { kind: 'drain', draining: true, at: 1 },
    { kind: 'answer', at: 2 },
  ]);
  assert.equal(healthState(draining), 'draining');
  const down = run(draining, [
    { kind: 'miss', at: 3 },
    { kind: 'miss', at: 4 },
  ]);
  assert.equal(healthState(down), 'down');
  assert.equal(healthState(run(down, [{ kind: 'answer', at: 5 }])), 'draining');
  assert.equal(
    healthState(
      run(down, [
        { kind: 'drain', draining: false, at: 6 },
        { kind: 'answer', at: 7 },
      ]),
    ),
    'healthy',
  );
});

test('a restart starts from the persisted verdict, else healthy', () => {
  assert.equal(healthState(initialHealth(10, { state: 'down', since: 5 })), 'down');
  assert.equal(healthState(initialHealth(10, { state: 'draining', since: 5 })), 'draining');
  assert.equal(initialHealth(10, { state: 'healthy', since: 5 }).healthySince, 5);
  assert.equal(healthState(initialHealth(10)), 'healthy');
});
