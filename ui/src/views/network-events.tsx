// The timeline of one network: its live events and older pages of its log.
import { useMemo } from 'preact/hooks';
import { useOlderEvents } from '../components/older-events.tsx';
import { Timeline } from '../components/timeline.tsx';
import { useEventList } from '../hooks/use-live.ts';
import { mergeEvents } from '../lib/event-kinds.ts';

export function NetworkEvents(props: { networkId: string }) {
  const live = useEventList();
  const { older, done, busy, loadBefore } = useOlderEvents(props.networkId);
  const events = useMemo(
    () =>
      mergeEvents(
        live.filter((e) => e.networkId === props.networkId),
        older,
        100_000,
      ),
    [live, older, props.networkId],
  );
  return (
    <div>
      <Timeline events={events} inNetwork idPrefix="network-events" />
      {!done && (
        <button type="button" class="button" disabled={busy} onClick={() => loadBefore(events.at(-1)?.id)}>
          Load older events
        </button>
      )}
    </div>
  );
}
