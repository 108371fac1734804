// Pages further back in the event log than the live list holds.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { useAction } from '../hooks/use-action.ts';
import type { EventJson } from '../lib/api-types.ts';

const PAGE = 100;

export function useOlderEvents(network?: string) {
  const { api } = useApp();
  const [older, setOlder] = useState<EventJson[]>([]);
  const [done, setDone] = useState(false);
  const [run, busy] = useAction();
  const loadBefore = async (oldest: number | undefined) => {
    const params = new URLSearchParams({ order: 'desc', limit: String(PAGE) });
    if (network) params.set('network', network);
    if (oldest !== undefined) params.set('before', String(oldest));
    const page = await run(() => api.get<{ events: EventJson[] }>(`/api/v1/events?${params}`));
    if (!page) return;
    setOlder((list) => [...list, ...page.events]);
    if (page.events.length < PAGE) setDone(true);
  };
  // The newest page of this log at once: the live list may hold none of this network's events.
  useEffect(() => {
    void loadBefore(undefined);
  }, [network]);
  return { older, done, busy, loadBefore };
}
