import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hrefOf, networkHref, parseHash, type Route } from './hash-route.ts';

const NWID = 'f8ea0e7924a1b2c3';

describe('hash routes', () => {
  it('parses every page', () => {
    assert.deepEqual(parseHash(''), { page: 'networks' });
    assert.deepEqual(parseHash('#/'), { page: 'networks' });
    assert.deepEqual(parseHash('#/networks/'), { page: 'networks' });
    assert.deepEqual(parseHash('#/ipam'), { page: 'ipam' });
    assert.deepEqual(parseHash('#/events'), { page: 'events' });
    assert.deepEqual(parseHash(`#/networks/${NWID}`), { page: 'network', networkId: NWID, tab: 'members' });
    assert.deepEqual(parseHash(`#/networks/${NWID.toUpperCase()}/routes`), {
      page: 'network',
      networkId: NWID,
      tab: 'routes',
    });
    assert.deepEqual(parseHash(`#/networks/${NWID}/members/a1b2c3d4e5`), {
      page: 'network',
      networkId: NWID,
      tab: 'members',
      member: 'a1b2c3d4e5',
    });
  });

  it('anything else is not found, with its path', () => {
    assert.deepEqual(parseHash('#/networks/xyz'), { page: 'not-found', path: '/networks/xyz' });
    assert.deepEqual(parseHash(`#/networks/${NWID}/nope`), {
      page: 'not-found',
      path: `/networks/${NWID}/nope`,
    });
    assert.deepEqual(parseHash(`#/networks/${NWID}/routes/a1b2c3d4e5`).page, 'not-found');
  });

  it('formats what it parses', () => {
    const routes: Route[] = [
      { page: 'networks' },
      { page: 'ipam' },
      { page: 'events' },
      { page: 'network', networkId: NWID, tab: 'picture' },
      { page: 'network', networkId: NWID, tab: 'members', member: 'a1b2c3d4e5' },
    ];
    for (const route of routes) assert.deepEqual(parseHash(hrefOf(route)), route);
    assert.equal(networkHref(NWID), `#/networks/${NWID}/members`);
  });
});
