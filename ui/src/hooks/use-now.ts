// A clock that ticks every `everyMs`, so "5 s ago" stays true without reloading anything.
import { useEffect, useState } from 'preact/hooks';

export function useNow(everyMs = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Calls `fn` every `everyMs` while the page is visible (health and online status drift quietly). */
export function useInterval(fn: () => void, everyMs: number): void {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') fn();
    }, everyMs);
    return () => clearInterval(timer);
  }, [fn, everyMs]);
}
