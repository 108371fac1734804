import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { virtualWindow } from './virtual-window.ts';

describe('virtual window', () => {
  const base = { viewportHeight: 400, rowHeight: 40, count: 10_000, overscan: 5 };

  it('renders the rows in view plus the overscan, spacers for the rest', () => {
    const top = virtualWindow({ ...base, scrollTop: 0 });
    assert.deepEqual(top, { start: 0, end: 16, padTop: 0, padBottom: (10_000 - 16) * 40 });
    const mid = virtualWindow({ ...base, scrollTop: 4000 });
    assert.equal(mid.start, 95);
    assert.equal(mid.end, 116);
    assert.equal(mid.padTop + (mid.end - mid.start) * 40 + mid.padBottom, 10_000 * 40, 'total height kept');
  });

  it('clamps at the end, for empty lists and for a scroll past the end', () => {
    const end = virtualWindow({ ...base, scrollTop: 10_000 * 40 });
    assert.equal(end.end, 10_000);
    assert.equal(end.padBottom, 0);
    assert.ok(end.start >= 10_000 - 1 - 5);
    assert.deepEqual(virtualWindow({ ...base, count: 0, scrollTop: 100 }), {
      start: 0,
      end: 0,
      padTop: 0,
      padBottom: 0,
    });
    const few = virtualWindow({ ...base, count: 3, scrollTop: 0 });
    assert.deepEqual([few.start, few.end, few.padBottom], [0, 3, 0]);
  });

  it('renders at least one screen even before the viewport is measured', () => {
    const unmeasured = virtualWindow({ ...base, viewportHeight: 0, scrollTop: 0 });
    assert.ok(unmeasured.end > 0);
  });
});
