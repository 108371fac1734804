import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemberJson } from './api-types.ts';
import { filterRows, sortRows, toRow, totalsOf } from './member-rows.ts';

function member(i: number, extra: Partial<MemberJson> = {}): MemberJson {
  const address = (0x1000000000 + i * 7919).toString(16);
  return {
    id: address,
    address,
    nwid: 'f8ea0e7924000001',
    authorized: i % 2 === 0,
    ipAssignments: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    ipamChildSubnet: i % 3 === 0 ? '10.0.1.0/24' : null,
    lastSeen: i % 5 === 0 ? null : 1000 + i,
    online: i % 4 === 0,
    physicalAddress: null,
    vMajor: 1,
    vMinor: 14,
    vRev: 1,
    revision: 1,
    creationTime: 0,
    name: i % 10 === 0 ? `gateway-${i}` : undefined,
    ...extra,
  };
}

describe('member rows', () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => toRow(member(i)));

  it('searches every field, all terms must match, case-insensitive', () => {
    assert.equal(filterRows(rows, 'GATEWAY-20', 'all').length, 12, 'gateway-20, -200, -2000 … -2090');
    assert.deepEqual(
      filterRows(rows, 'gateway 10.0.0.20', 'all').map((r) => r.name),
      ['gateway-20', 'gateway-200'],
    );
    assert.equal(filterRows(rows, rows[42]!.address, 'all').length, 1);
    assert.equal(filterRows(rows, '10.0.1.0/24', 'all').length, 3334, 'child subnet');
    assert.equal(filterRows(rows, '1.14.1', 'all').length, 10_000, 'client version');
    assert.equal(filterRows(rows, 'nothing-like-this', 'all').length, 0);
  });

  it('filters by status and keeps the list itself when nothing filters', () => {
    assert.equal(filterRows(rows, '', 'all'), rows);
    assert.equal(filterRows(rows, '', 'authorized').length, 5000);
    assert.equal(filterRows(rows, '', 'unauthorized').length, 5000);
    assert.equal(filterRows(rows, '', 'online').length, 2500);
    assert.equal(filterRows(rows, ' gateway ', 'online').length, 500);
  });

  it('filters 10,000 members in well under a frame', () => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) filterRows(rows, `10.0.${i}`, 'authorized');
    const each = (performance.now() - started) / 20;
    assert.ok(each < 16, `${each.toFixed(2)} ms per filter`);
  });

  it('sorts by IP numerically, by name with unnamed last, by last seen newest first', () => {
    const few = [member(300), member(2), member(10), member(5)].map(toRow);
    assert.deepEqual(
      sortRows(few, 'ip').map((r) => r.ips[0]),
      ['10.0.0.2', '10.0.0.5', '10.0.0.10', '10.0.1.44'],
    );
    assert.deepEqual(
      sortRows(few, 'name').map((r) => r.name),
      ['gateway-10', 'gateway-300', '', ''],
    );
    assert.deepEqual(
      sortRows(few, 'lastSeen').map((r) => r.lastSeen),
      [1002, null, null, null],
    );
    assert.deepEqual(sortRows(few, 'ip', true)[0]!.ips[0], '10.0.1.44');
  });

  it('counts totals', () => {
    assert.deepEqual(totalsOf(rows), { total: 10_000, authorized: 5000, online: 2500, waiting: 5000 });
  });

  it('shows an unknown client version as a dash and an IPv6-only member after IPv4 ones', () => {
    const fresh = toRow(member(1, { vMajor: -1, vMinor: -1, vRev: -1, ipAssignments: ['fd00::1'] }));
    assert.equal(fresh.version, '—');
    assert.deepEqual(
      sortRows([fresh, toRow(member(2))], 'ip').map((r) => r.ips[0]),
      ['10.0.0.2', 'fd00::1'],
    );
  });
});
