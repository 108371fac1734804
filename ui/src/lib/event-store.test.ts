import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventJson } from './api-types.ts';
import { EventStore } from './event-store.ts';

const event = (id: number): EventJson => ({
  id,
  time: id,
  networkId: null,
  memberAddress: null,
  type: 'network.created',
  actor: 'api',
  reason: '',
  data: {},
});

describe('event store', () => {
  it('keeps events newest first and tells listeners only what is new', () => {
    const store = new EventStore(3);
    const told: number[][] = [];
    const stop = store.subscribe((fresh) => told.push(fresh.map((e) => e.id)));
    store.add([event(2), event(1)]);
    store.add([event(2), event(3)]);
    store.add([event(3)]);
    store.add([event(4)]);
    assert.deepEqual(told, [[2, 1], [3], [4]]);
    assert.deepEqual(
      store.events.map((e) => e.id),
      [4, 3, 2],
      'capped',
    );
    assert.equal(store.newestId, 4);
    stop();
    store.add([event(5)]);
    assert.equal(told.length, 3, 'unsubscribed');
  });

  it('reports the stream state', () => {
    const store = new EventStore();
    const states: string[] = [];
    store.subscribeState((s) => states.push(s));
    store.setState('live');
    store.setState('reconnecting');
    assert.deepEqual(states, ['live', 'reconnecting']);
    assert.equal(store.state, 'reconnecting');
  });
});
