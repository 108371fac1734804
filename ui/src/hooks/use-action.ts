// Runs a write the user asked for: one at a time, the button shows it is busy, success and failure
// are announced with the API's own message.
import { useCallback, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';

export function useAction(): [
  run: <T>(fn: () => Promise<T>, success?: string) => Promise<T | undefined>,
  busy: boolean,
] {
  const { notify } = useApp();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async <T>(fn: () => Promise<T>, success?: string): Promise<T | undefined> => {
      setBusy(true);
      try {
        const result = await fn();
        if (success) notify(success, 'success');
        return result;
      } catch (error) {
        notify(error instanceof Error ? error.message : String(error), 'error');
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [notify],
  );
  return [run, busy];
}
