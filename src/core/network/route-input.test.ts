import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCodes, isRpError } from '../errors.ts';
import { parsePool, parsePools, parseRoute, parseRoutes } from './route-input.ts';

function rejects(fn: () => unknown, code: string, field: string, ...fragments: string[]): void {
  assert.throws(fn, (e) => {
    assert.ok(isRpError(e), String(e));
    assert.equal(e.code, code);
    assert.equal(e.field, field);
    for (const fragment of [field, ...fragments])
      assert.ok(e.message.includes(fragment), `${e.message} lacks ${fragment}`);
    return true;
  });
}

describe('routes', () => {
  test('canonicalises target and via; "" and absent via mean null', () => {
    assert.deepEqual(parseRoute({ target: 'FD00:1234:0::/64', via: 'FD00:1234::0001' }, 'r'), {
      target: 'fd00:1234::/64',
      via: 'fd00:1234::1',
    });
    assert.deepEqual(parseRoute({ target: '10.0.0.0/8', via: '' }, 'r'), { target: '10.0.0.0/8', via: null });
    assert.deepEqual(parseRoute({ target: '10.0.0.0/8' }, 'r'), { target: '10.0.0.0/8', via: null });
    assert.deepEqual(parseRoute({ target: '0.0.0.0/0', via: null }, 'r'), { target: '0.0.0.0/0', via: null });
  });

  test('a parent and a child sharing a network address are both kept', () => {
    const routes = parseRoutes(
      [
        { target: '10.0.0.0/8', via: null },
        { target: '10.0.0.0/24', via: null },
        { target: '10.0.0.0/8', via: '10.0.0.1' }, // same target, other via: distinct too
      ],
      'routes',
    );
    assert.equal(routes.length, 3);
  });

  test('errors name the field and the value', () => {
    const I = ErrorCodes.INVALID_INPUT;
    rejects(() => parseRoutes('x', 'routes'), I, 'routes', '"x"');
    rejects(() => parseRoutes([5], 'routes'), I, 'routes[0]', '5');
    rejects(() => parseRoutes([{ target: 5 }], 'routes'), I, 'routes[0].target', '5');
    rejects(() => parseRoutes([{ target: 'banana/8' }], 'routes'), I, 'routes[0].target', '"banana/8"');
    rejects(
      () => parseRoutes([{ target: '10.0.0.0' }], 'routes'),
      I,
      'routes[0].target',
      '"10.0.0.0"',
      'no prefix length',
    );
    rejects(
      () => parseRoutes([{ target: '10.0.0.0/33' }], 'routes'),
      I,
      'routes[0].target',
      '"10.0.0.0/33"',
      '0..32',
    );
    rejects(() => parseRoutes([{ target: 'fd00::/129' }], 'routes'), I, 'routes[0].target', '0..128');
    rejects(
      () => parseRoutes([{ target: '10.1.2.3/24' }], 'routes'),
      I,
      'routes[0].target',
      '10.1.2.3/24 has host bits set (did you mean 10.1.2.0/24?)',
    );
    rejects(
      () => parseRoutes([{ target: '10.0.0.0/8' }, { target: '10.0.0.0/8', via: '' }], 'routes'),
      I,
      'routes[1]',
      'duplicate route 10.0.0.0/8 via null',
      'routes[0]',
    );
    rejects(
      () => parseRoutes([{ target: '10.0.0.0/8', via: 'fd00::1' }], 'routes'),
      I,
      'routes[0].via',
      '"fd00::1" is IPv6 but target 10.0.0.0/8 is IPv4',
    );
    rejects(
      () => parseRoutes([{ target: 'fd00::/8', via: '10.0.0.1' }], 'routes'),
      I,
      'routes[0].via',
      '"10.0.0.1" is IPv4',
    );
    rejects(
      () => parseRoutes([{ target: '10.0.0.0/8', via: 'gateway' }], 'routes'),
      I,
      'routes[0].via',
      '"gateway"',
    );
    rejects(() => parseRoutes([{ target: '10.0.0.0/8', via: 7 }], 'routes'), I, 'routes[0].via', '7');
  });

  test('129 routes is a ROUTE_LIMIT error naming the count and the limit; 128 is fine', () => {
    const make = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ target: `10.${i}.0.0/16`, via: null }));
    assert.equal(parseRoutes(make(128), 'routes').length, 128);
    rejects(
      () => parseRoutes(make(129), 'routes'),
      ErrorCodes.ROUTE_LIMIT,
      'routes',
      '129 routes',
      '128',
      'ZT_MAX_NETWORK_ROUTES',
    );
  });

  test('property: canonical routes parse to themselves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (raw, bits) => {
        const masked = bits === 0 ? 0 : (raw & (0xffffffff << (32 - bits))) >>> 0;
        const target = `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${bits}`;
        const route = parseRoute({ target, via: null }, 'r');
        assert.deepEqual(parseRoute(route, 'r'), route);
        assert.equal(route.target, target);
      }),
    );
  });
});

describe('pools', () => {
  test('canonicalises both ends', () => {
    assert.deepEqual(parsePool({ ipRangeStart: 'FD00::0001', ipRangeEnd: 'fd00::ffff' }, 'p'), {
      ipRangeStart: 'fd00::1',
      ipRangeEnd: 'fd00::ffff',
    });
    assert.deepEqual(parsePool({ ipRangeStart: '10.0.0.5', ipRangeEnd: '10.0.0.5' }, 'p'), {
      ipRangeStart: '10.0.0.5',
      ipRangeEnd: '10.0.0.5',
    });
  });

  test('errors name the field and both values', () => {
    const I = ErrorCodes.INVALID_INPUT;
    rejects(
      () => parsePools([{ ipRangeStart: '10.0.0.100', ipRangeEnd: '10.0.0.10' }], 'ipAssignmentPools'),
      I,
      'ipAssignmentPools[0]',
      '"10.0.0.100"',
      '"10.0.0.10"',
      'reversed',
    );
    rejects(
      () => parsePools([{ ipRangeStart: '10.0.0.1', ipRangeEnd: 'fd00::1' }], 'ipAssignmentPools'),
      I,
      'ipAssignmentPools[0]',
      '"10.0.0.1"',
      '"fd00::1"',
      'different families',
    );
    rejects(
      () => parsePools([{ ipRangeStart: '10.0.0.1' }], 'ipAssignmentPools'),
      I,
      'ipAssignmentPools[0].ipRangeEnd',
      'undefined',
    );
    rejects(
      () => parsePools([{ ipRangeStart: '10.0.0.256', ipRangeEnd: '10.0.0.9' }], 'ipAssignmentPools'),
      I,
      'ipAssignmentPools[0].ipRangeStart',
      '"10.0.0.256"',
    );
  });
});
