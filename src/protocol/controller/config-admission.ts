// Bounded admission of config requests. Without it, more requests than the controller can serve
// pile up as pending work: every reply comes later, until all of them come too late (stock: median
// waits of 2–5 s and timeouts past ~1,600 requests/s). Here at most `maxActive` requests are being
// served at once; the rest wait in two bounded FIFO queues, and a request is shed (dropped without
// an answer; ZeroTier members simply ask again) rather than served late:
//
// * members without a config (request `have revision` 0) wait in the `first` queue, which is
//   served before the `refresh` queue of members that already have a config (theirs stays valid
//   for the credential window, 30 min by default);
// * a request that has waited `maxWaitMs` is shed when its turn comes, and once requests have been
//   waiting for a while (congestion) the newest is served first, so the requests that are served
//   under overload are served fast (adaptive LIFO);
// * when both queues together hold `maxQueued`, the oldest refresh request is shed to make room
//   (or, with no refresh waiting, the oldest first-config request).
//
// So latency stays bounded by about maxWaitMs plus the service time, and the controller keeps
// serving at full speed under any offered load.

export type AdmissionClass = 'first' | 'refresh';

export type ShedReason = 'queue-full' | 'expired';

export interface AdmissionOptions<T> {
  /** Requests served at once (the rest wait). */
  maxActive: number;
  /** Requests waiting at most, both classes together. */
  maxQueued: number;
  /** A request that waited this long is shed instead of served. */
  maxWaitMs: number;
  /**
   * Once the oldest waiting request has waited this long, the newest is served first (adaptive
   * LIFO): under overload the requests served are fresh ones. Default maxWaitMs / 4.
   */
  congestedMs?: number;
  /** Serves one request; the returned promise settles when the work is done (errors are the caller's). */
  serve: (item: T) => Promise<void>;
  /** Told about every shed request. */
  shed?: (item: T, reason: ShedReason) => void;
  clock?: () => number;
}

interface Waiting<T> {
  item: T;
  since: number;
}

/** A FIFO with O(1) push and shift (an array with a moving head, compacted now and then). */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  pop(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    return this.items.pop();
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export interface AdmissionStats {
  active: number;
  queuedFirst: number;
  queuedRefresh: number;
  served: number;
  shedQueueFull: number;
  shedExpired: number;
}

export class ConfigAdmission<T> {
  private readonly first = new Fifo<Waiting<T>>();
  private readonly refresh = new Fifo<Waiting<T>>();
  private readonly clock: () => number;
  private active = 0;
  private served = 0;
  private shedQueueFull = 0;
  private shedExpired = 0;
  private readonly congestedMs: number;

  constructor(private readonly options: AdmissionOptions<T>) {
    this.congestedMs = options.congestedMs ?? options.maxWaitMs / 4;
    if (!(options.maxActive >= 1)) throw new RangeError('maxActive must be at least 1');
    if (!(options.maxQueued >= 0)) throw new RangeError('maxQueued must not be negative');
    this.clock = options.clock ?? (() => performance.now());
  }

  get stats(): AdmissionStats {
    return {
      active: this.active,
      queuedFirst: this.first.length,
      queuedRefresh: this.refresh.length,
      served: this.served,
      shedQueueFull: this.shedQueueFull,
      shedExpired: this.shedExpired,
    };
  }

  /** Serves `item` now if a slot is free, else queues it (possibly shedding an older request). */
  offer(item: T, kind: AdmissionClass): void {
    if (this.active < this.options.maxActive && this.first.length + this.refresh.length === 0) {
      this.start(item);
      return;
    }
    const queue = kind === 'first' ? this.first : this.refresh;
    if (this.first.length + this.refresh.length >= this.options.maxQueued) {
      // Make room by shedding the oldest refresh; with none, the oldest first-config request. A
      // refresh arriving to a queue full of first-config requests is itself shed.
      const victim =
        this.refresh.length > 0
          ? this.refresh
          : kind === 'first' && this.first.length > 0
            ? this.first
            : undefined;
      if (!victim) {
        this.drop(item, 'queue-full');
        return;
      }
      this.drop(victim.shift()!.item, 'queue-full');
    }
    if (this.options.maxQueued === 0) {
      this.drop(item, 'queue-full');
      return;
    }
    queue.push({ item, since: this.clock() });
    this.pump();
  }

  private drop(item: T, reason: ShedReason): void {
    if (reason === 'queue-full') this.shedQueueFull++;
    else this.shedExpired++;
    this.options.shed?.(item, reason);
  }

  private start(item: T): void {
    this.active++;
    this.served++;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      this.active--;
      this.pump();
    };
    try {
      this.options.serve(item).then(done, done);
    } catch {
      done();
    }
  }

  private pump(): void {
    while (this.active < this.options.maxActive) {
      const queue = this.first.length > 0 ? this.first : this.refresh;
      const oldest = queue.peek();
      if (!oldest) return;
      const now = this.clock();
      if (now - oldest.since > this.options.maxWaitMs) {
        queue.shift();
        this.drop(oldest.item, 'expired');
        continue;
      }
      // Congested (the oldest has waited a while): serve the newest, whose member is surely still
      // waiting, and let the oldest expire; otherwise first come, first served.
      const next = now - oldest.since > this.congestedMs ? queue.pop()! : queue.shift()!;
      this.start(next.item);
    }
  }
}
