// Everything that happened on this controller, live: approvals, failovers, route changes, members
// joining, with the reason for each.
import { useMemo } from 'preact/hooks';
import { useOlderEvents } from '../components/older-events.tsx';
import { Timeline } from '../components/timeline.tsx';
import { useEventList, useStreamState } from '../hooks/use-live.ts';
import { mergeEvents } from '../lib/event-kinds.ts';

export function EventsPage() {
  const live = useEventList();
  const state = useStreamState();
  const { older, done, busy, loadBefore } = useOlderEvents();
  const events = useMemo(() => mergeEvents(live, older, 100_000), [live, older]);
  return (
    <section class="page">
      <div class="page-head">
        <h1 tabIndex={-1}>Events</h1>
        <p class="muted">
          {state === 'live'
            ? 'Live: new events appear at the top as they happen.'
            : 'Reconnecting to the live stream…'}
        </p>
      </div>
      <Timeline events={events} idPrefix="all-events" />
      {!done && (
        <button type="button" class="button" disabled={busy} onClick={() => loadBefore(events.at(-1)?.id)}>
          Load older events
        </button>
      )}
    </section>
  );
}
