import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from '../cidr/ip.ts';
import { aggregateRoutes } from './aggregate-routes.ts';
import { makeRoute, type RouteItem } from './route-item.ts';
import type { RouteSource } from './route-types.ts';
import { prefixOf } from './planner-fixtures.test.ts';

function r(
  target: string,
  via: string | null = null,
  source: RouteSource = 'ipam',
  owner: string | null = null,
): RouteItem {
  return makeRoute(prefixOf(target), via ? parseIp(via)! : null, source, owner);
}
const shown = (items: RouteItem[]) =>
  items.map((i) => `${i.route.target}${i.route.via ? ` via ${i.route.via}` : ''}`);

describe('aggregateRoutes', () => {
  test('merges halves repeatedly, deepest first, and stops once it fits', () => {
    const list = [r('10.1.0.0/24'), r('10.1.1.0/24'), r('10.1.2.0/24'), r('10.1.3.0/24'), r('10.2.0.0/24')];
    assert.deepEqual(shown(aggregateRoutes(list, 4).routes), [
      '10.1.0.0/23',
      '10.1.2.0/24',
      '10.1.3.0/24',
      '10.2.0.0/24',
    ]);
    const full = aggregateRoutes(list, 1);
    assert.deepEqual(shown(full.routes), ['10.1.0.0/22', '10.2.0.0/24']);
    assert.deepEqual(full.merges, [
      {
        into: '10.1.0.0/22',
        from: ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24'],
        via: null,
        source: 'ipam',
      },
    ]);
    assert.deepEqual(aggregateRoutes(list, 5).merges, [], 'nothing to do when it fits');
  });

  test('never merges across vias, sources or owners, nor non-siblings', () => {
    assert.equal(aggregateRoutes([r('10.1.0.0/24'), r('10.1.1.0/24', '10.0.0.1')], 1).routes.length, 2);
    assert.equal(aggregateRoutes([r('10.1.0.0/24', null, 'manual'), r('10.1.1.0/24')], 1).routes.length, 2);
    assert.equal(
      aggregateRoutes(
        [r('10.1.0.0/24', '10.0.0.1', 'advertised', 'a'), r('10.1.1.0/24', '10.0.0.1', 'advertised', 'b')],
        1,
      ).routes.length,
      2,
    );
    // Adjacent but not halves of one prefix: 10.1.1.0/24 + 10.1.2.0/24 is no /23.
    assert.equal(aggregateRoutes([r('10.1.1.0/24'), r('10.1.2.0/24')], 1).routes.length, 2);
  });

  test('never creates a target that exists, nor merges a target routed another way too', () => {
    // 10.1.0.0/23 via a gateway exists: merging the /24s into 10.1.0.0/23 would make two equal targets.
    assert.equal(
      aggregateRoutes([r('10.1.0.0/24'), r('10.1.1.0/24'), r('10.1.0.0/23', '10.0.0.1')], 2).routes.length,
      3,
    );
    // 10.1.0.0/24 also goes via a gateway: the client installs only the first, so leave it.
    assert.equal(
      aggregateRoutes([r('10.1.0.0/24'), r('10.1.1.0/24'), r('10.1.0.0/24', '10.0.0.1')], 2).routes.length,
      3,
    );
    // The same through routes that are not merged here but reach the same members.
    assert.equal(
      aggregateRoutes([r('10.1.0.0/24'), r('10.1.1.0/24')], 1, ['10.1.0.0/23 10.0.0.1']).routes.length,
      2,
    );
  });

  test('a parent and the merged child keep both targets (10.0.0.0/8 and 10.0.0.0/23)', () => {
    const out = aggregateRoutes([r('10.0.0.0/8', '10.0.0.1'), r('10.0.0.0/24'), r('10.0.1.0/24')], 2);
    assert.deepEqual(shown(out.routes), ['10.0.0.0/8 via 10.0.0.1', '10.0.0.0/23']);
  });

  test('IPv6 halves merge too', () => {
    assert.deepEqual(shown(aggregateRoutes([r('fd00::/65'), r('fd00:0:0:0:8000::/65')], 1).routes), [
      'fd00::/64',
    ]);
  });
});
