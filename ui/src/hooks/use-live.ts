// Lets a view react to live events: `when` picks the events that matter to it, `then` runs at most
// once per `delayMs` however many arrive (a failover brings several at once).
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import type { EventJson } from '../lib/api-types.ts';
import type { StreamState } from '../lib/live-events.ts';

export function useLiveEvents(
  when: (event: EventJson) => boolean,
  then: (events: EventJson[]) => void,
  delayMs = 250,
): void {
  const { events } = useApp();
  const whenRef = useRef(when);
  const thenRef = useRef(then);
  whenRef.current = when;
  thenRef.current = then;
  useEffect(() => {
    let pending: EventJson[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = events.subscribe((fresh) => {
      const matching = fresh.filter((e) => whenRef.current(e));
      if (matching.length === 0) return;
      pending.push(...matching);
      timer ??= setTimeout(() => {
        timer = undefined;
        const batch = pending;
        pending = [];
        thenRef.current(batch);
      }, delayMs);
    });
    return () => {
      stop();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [events, delayMs]);
}

/** The live stream's state, for the header's indicator. */
export function useStreamState(): StreamState {
  const { events } = useApp();
  const [state, setState] = useState(events.state);
  useEffect(() => events.subscribeState(setState), [events]);
  return state;
}

/** The event list, re-rendered when it grows. */
export function useEventList(): readonly EventJson[] {
  const { events } = useApp();
  const [list, setList] = useState(events.events);
  useEffect(() => events.subscribe(() => setList(events.events)), [events]);
  return list;
}
