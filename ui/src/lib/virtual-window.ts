// Which rows of a long list to render: only those in view plus a margin, with spacers for the rest,
// so the members table costs the same with 10 or 100,000 members. Rows have a fixed height.

export interface VirtualWindow {
  /** First row rendered (inclusive). */
  start: number;
  /** Row after the last one rendered (exclusive). */
  end: number;
  /** Height of the spacer above and below the rendered rows (px). */
  padTop: number;
  padBottom: number;
}

export function virtualWindow(options: {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Rows rendered beyond each edge, so fast scrolling and Tab never meet a blank. */
  overscan?: number;
}): VirtualWindow {
  const { rowHeight, count } = options;
  const overscan = options.overscan ?? 8;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const top = Math.max(0, options.scrollTop);
  const first = Math.min(count - 1, Math.floor(top / rowHeight));
  const visible = Math.ceil(Math.max(options.viewportHeight, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (count - end) * rowHeight };
}
