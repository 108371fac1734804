// Loads something from the API for a view, reloads on demand (or when a live event says so), and
// drops answers that arrive after the view moved on.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
  /** Replace the data locally (after a write answered with the new state). */
  set(update: (current: T | undefined) => T | undefined): void;
}

export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const depsKey = JSON.stringify(deps);
  const lastDeps = useRef(depsKey);

  useEffect(() => {
    // New subject (another network): forget the old one's data at once.
    if (lastDeps.current !== depsKey) {
      lastDeps.current = depsKey;
      setData(undefined);
    }
    const controller = new AbortController();
    setLoading(true);
    loadRef.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err instanceof Error ? err : new Error(String(err)));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [depsKey, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const set = useCallback((update: (current: T | undefined) => T | undefined) => setData(update), []);
  return { data, error, loading, reload, set };
}
