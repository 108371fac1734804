// A table that renders only the rows in view (plus a margin), with spacer rows for the rest: the
// members table stays instant at 10,000 rows. Rows have a fixed height (CSS `--row-height`).
// Keyboard users can Tab through it: the next row is always rendered, and focusing it scrolls.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { virtualWindow } from '../lib/virtual-window.ts';

export function VirtualTable(props: {
  count: number;
  columns: number;
  rowHeight: number;
  caption: string;
  head: ComponentChildren;
  renderRow: (index: number, ariaRowIndex: number) => JSX.Element;
  /** Scroll back to the top when this changes (a new filter). */
  resetKey?: string;
  label?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(() => (typeof window === 'undefined' ? 600 : window.innerHeight));
  const frame = useRef(0);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    // The box shrinks to a short list; never plan for less than a screenful.
    const measure = () => setViewport(Math.max(element.clientHeight, window.innerHeight));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
    setScrollTop(0);
  }, [props.resetKey]);

  const onScroll = () => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScrollTop(scroller.current?.scrollTop ?? 0));
  };

  const win = virtualWindow({
    scrollTop,
    viewportHeight: viewport,
    rowHeight: props.rowHeight,
    count: props.count,
  });
  const rows: JSX.Element[] = [];
  for (let i = win.start; i < win.end; i++) rows.push(props.renderRow(i, i + 2));
  return (
    <div class="table-scroll" ref={scroller} onScroll={onScroll} tabIndex={-1} aria-label={props.label}>
      <table class="data virtual" aria-rowcount={props.count + 1}>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>{props.head}</thead>
        <tbody>
          {win.padTop > 0 && <Spacer height={win.padTop} columns={props.columns} />}
          {rows}
          {win.padBottom > 0 && <Spacer height={win.padBottom} columns={props.columns} />}
        </tbody>
      </table>
    </div>
  );
}

/** Stands in for the rows not rendered; a cell, since an empty row may collapse. */
function Spacer(props: { height: number; columns: number }) {
  return (
    <tr class="spacer" aria-hidden="true">
      <td colSpan={props.columns} style={{ height: `${props.height}px` }} />
    </tr>
  );
}
