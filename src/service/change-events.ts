// Change notifications the coordinator emits after a write commits. The protocol layer listens to
// push new configs; later the PostgreSQL backend turns the same events into NOTIFY.

export type ChangeEvent =
  | { kind: 'network-changed'; networkId: string; revision: number }
  | { kind: 'network-deleted'; networkId: string }
  | {
      kind: 'member-changed';
      networkId: string;
      address: string;
      revision: number;
      authorized: boolean;
      /** Whether it was authorized before this change: a true → false flip triggers revocations. */
      wasAuthorized: boolean;
    }
  | { kind: 'member-deleted'; networkId: string; address: string };

export type ChangeListener = (event: ChangeEvent) => void;

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: readonly ChangeEvent[]): void {
    for (const event of events) {
      for (const listener of this.listeners) {
        // A failing listener must not undo or hide a committed write.
        try {
          listener(event);
        } catch {
          /* listeners report their own errors */
        }
      }
    }
  }
}
