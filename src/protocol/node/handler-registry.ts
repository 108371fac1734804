// Upper-layer handlers keyed by verb. One throwing handler neither stops the others nor escapes
// into the receive pipeline.

export type Handler<T> = (packet: T) => void;

export class HandlerRegistry<T> {
  private readonly handlers = new Map<number, Set<Handler<T>>>();

  /** Returns a function that removes the handler again. */
  on(verb: number, handler: Handler<T>): () => void {
    let set = this.handlers.get(verb);
    if (!set) {
      set = new Set();
      this.handlers.set(verb, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  has(verb: number): boolean {
    return (this.handlers.get(verb)?.size ?? 0) > 0;
  }

  /** Builds the packet only when someone listens; reports each handler failure to `onError`. */
  dispatch(verb: number, make: () => T, onError: (error: unknown) => void): void {
    const set = this.handlers.get(verb);
    if (!set || set.size === 0) return;
    const packet = make();
    for (const handler of set) {
      try {
        handler(packet);
      } catch (error) {
        onError(error);
      }
    }
  }
}
