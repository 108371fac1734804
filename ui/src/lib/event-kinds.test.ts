import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventJson } from './api-types.ts';
import { categoryOf, describeEvent, filterEvents, mergeEvents } from './event-kinds.ts';

let nextId = 1;
const event = (
  type: string,
  data: Record<string, unknown> = {},
  extra: Partial<EventJson> = {},
): EventJson => ({
  id: nextId++,
  time: 0,
  networkId: 'f8ea0e7924000001',
  memberAddress: 'a1b2c3d4e5',
  type,
  actor: 'health',
  reason: 'because',
  data,
  ...extra,
});

describe('event kinds', () => {
  it('titles failovers, approvals and route changes from their data', () => {
    const failover = describeEvent(
      event('route.failover', { prefix: '192.168.50.0/24', from: 'a1b2c3d4e5', to: 'b1b2c3d4e5' }),
    );
    assert.deepEqual(failover, {
      title: 'Failover: 192.168.50.0/24 moved from a1b2c3d4e5 to b1b2c3d4e5',
      tone: 'bad',
      category: 'routers',
    });
    assert.equal(
      describeEvent(event('router.approved', { prefix: '192.168.50.0/24' })).title,
      '192.168.50.0/24 approved for a1b2c3d4e5',
    );
    assert.equal(
      describeEvent(event('route.added', { target: '10.1.1.0/24', via: null, source: 'ipam' })).title,
      'Route added: 10.1.1.0/24 (ipam)',
    );
    assert.equal(describeEvent(event('router.health', { state: 'down' })).tone, 'bad');
    assert.equal(
      describeEvent(event('ipam.subnet-created', { subnet: { prefix: '10.0.0.0/8' } })).title,
      'Subnet added: 10.0.0.0/8',
    );
    assert.equal(
      describeEvent(event('network.updated', { changed: ['routesFromIpam'] })).title,
      'Network updated: routesFromIpam',
    );
    assert.equal(describeEvent(event('something.new')).title, 'something.new', 'unknown types still show');
  });

  it('categorises: primary changes belong with routers', () => {
    assert.equal(categoryOf('route.failover'), 'routers');
    assert.equal(categoryOf('route.added'), 'routes');
    assert.equal(categoryOf('router.health'), 'routers');
    assert.equal(categoryOf('member.authorized'), 'members');
    assert.equal(categoryOf('ipam.subnet-deleted'), 'ipam');
    assert.equal(categoryOf('token.created'), 'other');
  });

  it('filters by category and words', () => {
    const events = [
      event('route.failover', { prefix: '192.168.50.0/24', from: 'x', to: 'y' }),
      event('member.authorized'),
      event('route.added', { target: '10.1.1.0/24', via: null, source: 'ipam' }),
    ];
    assert.equal(filterEvents(events, 'routers', '').length, 1);
    assert.equal(filterEvents(events, 'all', 'failover 192.168').length, 1);
    assert.equal(filterEvents(events, 'all', '10.1.1.0').length, 1);
    assert.equal(filterEvents(events, 'members', 'failover').length, 0);
  });

  it('merges newest first without duplicates, capped', () => {
    const a = event('x');
    const b = event('y');
    const c = event('z');
    const merged = mergeEvents([b, a], [c, b]);
    assert.deepEqual(
      merged.map((e) => e.id),
      [c.id, b.id, a.id],
    );
    assert.equal(mergeEvents(merged, [b]), merged, 'nothing new: same list');
    assert.equal(mergeEvents(merged, [event('w')], 2).length, 2);
  });
});
