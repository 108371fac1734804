import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteView } from './api-types.ts';
import { routeGauge, sentTargets } from './route-gauge.ts';

describe('route gauge', () => {
  it('levels: ok, warn from 80 %, full at 128, over beyond', () => {
    assert.deepEqual(routeGauge(0), {
      count: 0,
      limit: 128,
      ratio: 0,
      level: 'ok',
      label: '0 of 128 routes',
    });
    assert.equal(routeGauge(102).level, 'ok');
    assert.equal(routeGauge(103).level, 'warn');
    assert.equal(routeGauge(128).level, 'full');
    assert.equal(routeGauge(130).level, 'over');
    assert.equal(routeGauge(130).ratio, 1, 'the bar never overflows');
    assert.equal(routeGauge(64).ratio, 0.5);
  });

  it('counts distinct sent targets: spread routers share one target, merged routes do not count', () => {
    const r = (target: string, via: string | null, status: RouteView['status'] = 'active'): RouteView => ({
      target,
      via,
      status,
      source: 'advertised',
      owner: null,
      members: 1,
    });
    assert.equal(
      sentTargets([
        r('192.168.50.0/24', '10.0.0.1'),
        r('192.168.50.0/24', '10.0.0.2'),
        r('10.0.0.0/8', null),
        r('10.1.0.0/24', null, 'aggregated'),
      ]),
      2,
    );
  });
});
