// The events the dashboard knows, newest first, shared by every view: the timeline shows them and
// views re-read what an event says changed (a failover moves the picture without a reload).
import type { EventJson } from './api-types.ts';
import { mergeEvents } from './event-kinds.ts';
import type { StreamState } from './live-events.ts';

export type EventListener = (fresh: readonly EventJson[]) => void;

export class EventStore {
  private list: EventJson[] = [];
  private readonly listeners = new Set<EventListener>();
  private readonly stateListeners = new Set<(state: StreamState) => void>();
  private current: StreamState = 'connecting';

  constructor(private readonly cap = 2000) {}

  get events(): readonly EventJson[] {
    return this.list;
  }

  get state(): StreamState {
    return this.current;
  }

  /** The newest id known: where the live stream resumes. */
  get newestId(): number | undefined {
    return this.list[0]?.id;
  }

  add(incoming: readonly EventJson[]): void {
    const known = new Set(this.list.map((e) => e.id));
    const fresh = incoming.filter((e) => !known.has(e.id));
    if (fresh.length === 0) return;
    this.list = mergeEvents(this.list, fresh, this.cap);
    for (const listener of [...this.listeners]) listener(fresh);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setState(state: StreamState): void {
    this.current = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }

  subscribeState(listener: (state: StreamState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
}
