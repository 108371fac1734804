// The event timeline: newest first, grouped by day, each event with a title, its reason, who did it
// and links to the network and member. New events arrive live at the top.
import { useMemo, useState } from 'preact/hooks';
import type { EventJson } from '../lib/api-types.ts';
import { CATEGORY_LABELS, describeEvent, filterEvents, type EventCategory } from '../lib/event-kinds.ts';
import { formatClock, formatTime } from '../lib/format.ts';
import { networkHref } from '../lib/hash-route.ts';

const TONE_MARK = { bad: '!', warn: '•', good: '✓', info: '·' };

function dayOf(time: number): string {
  return formatTime(time).slice(0, 10);
}

export function Timeline(props: {
  events: readonly EventJson[];
  /** Hide the network link (the timeline of one network). */
  inNetwork?: boolean;
  idPrefix: string;
}) {
  const [category, setCategory] = useState<EventCategory | 'all'>('all');
  const [query, setQuery] = useState('');
  const shown = useMemo(() => filterEvents(props.events, category, query), [props.events, category, query]);
  let lastDay = '';
  return (
    <div class="timeline">
      <div class="toolbar" role="search">
        <div class="field">
          <label for={`${props.idPrefix}-category`}>Show</label>
          <select
            id={`${props.idPrefix}-category`}
            value={category}
            onChange={(e) => setCategory(e.currentTarget.value as EventCategory | 'all')}
          >
            <option value="all">All events</option>
            {(Object.keys(CATEGORY_LABELS) as EventCategory[]).map((c) => (
              <option key={c} value={c}>
                {CATEGORY_LABELS[c]}
              </option>
            ))}
          </select>
        </div>
        <div class="field grow">
          <label for={`${props.idPrefix}-search`}>Search events</label>
          <input
            id={`${props.idPrefix}-search`}
            type="search"
            placeholder="failover, 10.1.0.0/24, a member…"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </div>
      </div>
      {shown.length === 0 ? (
        <p class="empty">{props.events.length === 0 ? 'No events yet.' : 'No event matches.'}</p>
      ) : (
        <ol class="events" aria-label="Events, newest first" data-testid="timeline">
          {shown.map((event) => {
            const view = describeEvent(event);
            const day = dayOf(event.time);
            const header = day !== lastDay;
            lastDay = day;
            return (
              <li key={event.id} class={`event tone-${view.tone}`} data-type={event.type}>
                {header && <p class="event-day">{day}</p>}
                <div class="event-row">
                  <span class="event-mark" aria-hidden="true">
                    {TONE_MARK[view.tone]}
                  </span>
                  <time dateTime={new Date(event.time).toISOString()} title={formatTime(event.time)}>
                    {formatClock(event.time)}
                  </time>
                  <div class="event-body">
                    <p class="event-title">{view.title}</p>
                    <p class="event-reason">{event.reason}</p>
                    <p class="event-meta muted">
                      {event.type} · by {event.actor}
                      {event.networkId && !props.inNetwork && (
                        <>
                          {' '}
                          · <a href={networkHref(event.networkId, 'events')}>network {event.networkId}</a>
                        </>
                      )}
                      {event.networkId && event.memberAddress && (
                        <>
                          {' '}
                          ·{' '}
                          <a href={networkHref(event.networkId, 'members', event.memberAddress)}>
                            member {event.memberAddress}
                          </a>
                        </>
                      )}
                    </p>
                  </div>
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
