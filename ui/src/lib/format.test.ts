import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatAgo,
  formatCount,
  formatDuration,
  formatPercent,
  formatRoute,
  formatSize,
  formatTime,
  formatVersion,
  plural,
} from './format.ts';

describe('format', () => {
  it('counts with grouping commas and plurals', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(10000), '10,000');
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(plural(1, 'member'), '1 member');
    assert.equal(plural(10000, 'member'), '10,000 members');
    assert.equal(plural(2, 'child', 'children'), '2 children');
  });

  it('says how long ago', () => {
    const now = 1_700_000_000_000;
    assert.equal(formatAgo(null, now), 'never');
    assert.equal(formatAgo(0, now), 'never');
    assert.equal(formatAgo(now - 1000, now), 'just now');
    assert.equal(formatAgo(now - 42_000, now), '42 s ago');
    assert.equal(formatAgo(now - 5 * 60_000, now), '5 min ago');
    assert.equal(formatAgo(now - 3 * 3600_000, now), '3 h ago');
    assert.equal(formatAgo(now - 12 * 86400_000, now), '12 d ago');
    assert.equal(formatAgo(now + 5000, now), 'just now', 'a clock a little ahead is not the future');
  });

  it('prints times sortably', () => {
    assert.match(formatTime(Date.UTC(2025, 2, 1, 14, 5, 9)), /^2025-03-0[12] \d\d:05:09$/);
  });

  it('versions, percentages, sizes, routes, durations', () => {
    assert.equal(formatVersion({ vMajor: 1, vMinor: 14, vRev: 1 }), '1.14.1');
    assert.equal(formatVersion({ vMajor: -1, vMinor: -1, vRev: -1 }), '—');
    assert.equal(formatVersion({ vMajor: 0, vMinor: 0, vRev: 0 }), '—');
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(0.00001), '<0.1%');
    assert.equal(formatPercent(0.0456), '4.6%');
    assert.equal(formatPercent(0.5), '50%');
    assert.equal(formatSize(256, 8), '256');
    assert.equal(formatSize(16777216, 24), '2^24');
    assert.equal(formatSize('340282366920938463463374607431768211456', 128), '2^128');
    assert.equal(formatRoute({ target: '10.0.0.0/8', via: null }), '10.0.0.0/8');
    assert.equal(formatRoute({ target: '0.0.0.0/0', via: '10.0.0.1' }), '0.0.0.0/0 via 10.0.0.1');
    assert.equal(formatDuration(500), '500 ms');
    assert.equal(formatDuration(30000), '30 s');
    assert.equal(formatDuration(1500), '1.5 s');
    assert.equal(formatDuration(300000), '5 min');
  });
});
