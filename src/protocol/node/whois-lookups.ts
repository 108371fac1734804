// Outstanding WHOIS lookups: one per address, retried until answered or timed out, bounded in
// number. The node sends the requests and validates answers; this keeps the bookkeeping.
import type { Identity } from '../identity.ts';

interface Lookup {
  promise: Promise<Identity | undefined>;
  resolve(identity: Identity | undefined): void;
  validating: boolean;
  timer: NodeJS.Timeout;
}

export class WhoisLookups {
  private readonly lookups = new Map<string, Lookup>();

  constructor(
    private readonly options: {
      retry: number;
      timeout: number;
      max: number;
      clock: () => number;
      /** Sends (or re-sends) the WHOIS request for `address`. */
      request(address: string): void;
      /** Called once a lookup ends, with or without an answer. */
      finished(address: string, identity: Identity | undefined): void;
    },
  ) {}

  /** The pending lookup's promise, a new lookup, or undefined when too many are pending. */
  start(address: string): Promise<Identity | undefined> | undefined {
    const existing = this.lookups.get(address);
    if (existing) return existing.promise;
    if (this.lookups.size >= this.options.max) return undefined;
    let resolve!: (identity: Identity | undefined) => void;
    const promise = new Promise<Identity | undefined>((r) => (resolve = r));
    const started = this.options.clock();
    const lookup: Lookup = {
      promise,
      resolve,
      validating: false,
      timer: setInterval(() => {
        if (this.options.clock() - started >= this.options.timeout) this.finish(address, undefined);
        else if (!lookup.validating) this.options.request(address);
      }, this.options.retry),
    };
    lookup.timer.unref();
    this.lookups.set(address, lookup);
    this.options.request(address);
    return promise;
  }

  /** True when `address` is being looked up and its answer is not already being validated; marks it validating. */
  claimAnswer(address: string): boolean {
    const lookup = this.lookups.get(address);
    if (!lookup || lookup.validating) return false;
    lookup.validating = true;
    return true;
  }

  /** The answer could not be validated now (pool busy): accept the next one. */
  releaseAnswer(address: string): void {
    const lookup = this.lookups.get(address);
    if (lookup) lookup.validating = false;
  }

  finish(address: string, identity: Identity | undefined): void {
    const lookup = this.lookups.get(address);
    if (!lookup) return;
    clearInterval(lookup.timer);
    this.lookups.delete(address);
    lookup.resolve(identity);
    this.options.finished(address, identity);
  }

  /** Ends every lookup without an answer (stop). */
  finishAll(): void {
    for (const address of [...this.lookups.keys()]) this.finish(address, undefined);
  }

  get size(): number {
    return this.lookups.size;
  }
}
