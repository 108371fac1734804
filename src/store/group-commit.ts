// Group commit: store transactions that arrive while another one runs are queued and then run one
// after another inside ONE database transaction, so a single COMMIT (one fsync on SQLite, one WAL
// flush on PostgreSQL) acknowledges all of them. Each queued function runs inside its own SAVEPOINT,
// so a function that throws undoes only its own writes and fails only its own caller; a failed
// COMMIT fails every caller of the batch; nobody is answered before COMMIT returned.
//
// The first function of a batch needs no savepoint (nothing precedes it: if it throws, the whole
// transaction is rolled back and the queue goes on in a new one), so a lone transaction runs exactly
// as before: BEGIN, fn, COMMIT. Backend-neutral: the database steps come from a `BatchDriver`.

/** The database steps of a batch, on one transaction handle `T`. */
export interface BatchDriver<T> {
  begin(): Promise<T>;
  commit(trx: T): Promise<void>;
  /** Ends the transaction without keeping anything; must release the connection even when it fails. */
  rollback(trx: T): Promise<void>;
  savepoint(trx: T): Promise<void>;
  /** Undoes everything since the matching `savepoint` and removes it. */
  rollbackToSavepoint(trx: T): Promise<void>;
  /** Keeps what was done since the matching `savepoint` and removes it. */
  releaseSavepoint(trx: T): Promise<void>;
}

/** The default bound: a batch never holds more than this many callers. */
export const DEFAULT_MAX_BATCH = 64;

interface Job<T> {
  run(trx: T): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface GroupCommitStats {
  /** Database transactions begun. */
  transactions: number;
  /** Caller functions run. */
  calls: number;
  /** The largest batch so far. */
  largestBatch: number;
}

export class GroupCommit<T> {
  private readonly queue: Job<T>[] = [];
  private draining: Promise<void> | undefined;
  readonly stats: GroupCommitStats = { transactions: 0, calls: 0, largestBatch: 0 };

  constructor(
    private readonly driver: BatchDriver<T>,
    private readonly maxBatch = DEFAULT_MAX_BATCH,
  ) {
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1)
      throw new RangeError(`maxBatch ${maxBatch} must be ≥ 1`);
  }

  /** Runs `fn` in a database transaction, possibly shared with other callers (see above). */
  run<R>(fn: (trx: T) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      this.draining ??= this.drain();
    });
  }

  /** Resolves once every queued call has settled (for close). */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      do {
        // Let the rest of this event-loop turn queue its calls first. With a synchronous driver
        // (better-sqlite3) a whole transaction, COMMIT included, runs within one microtask drain, so
        // without this yield requests that arrived together (parsed one I/O callback after another)
        // would never meet in the queue and every batch would hold one call. A lone call pays one
        // setImmediate hop.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.runBatch();
      } while (this.queue.length > 0);
    } finally {
      this.draining = undefined;
    }
  }

  private async runBatch(): Promise<void> {
    let trx: T;
    try {
      trx = await this.driver.begin();
    } catch (error) {
      // No transaction, so nothing ran: fail the callers that would have formed this batch.
      for (const job of this.queue.splice(0, this.maxBatch)) job.reject(error);
      return;
    }
    this.stats.transactions++;

    const done: Array<{ job: Job<T>; value: unknown }> = [];
    let size = 0;
    /** Taken from the queue but neither succeeded nor failed yet. */
    let current: Job<T> | undefined;
    try {
      while (size < this.maxBatch && this.queue.length > 0) {
        const job = this.queue.shift()!;
        current = job;
        size++;
        this.stats.calls++;
        if (size === 1) {
          // First of the batch: no savepoint; a throw rolls back the transaction, which held only it.
          let value: unknown;
          try {
            value = await job.run(trx);
          } catch (error) {
            current = undefined;
            await this.rollbackQuietly(trx);
            job.reject(error);
            return;
          }
          done.push({ job, value });
        } else {
          await this.driver.savepoint(trx);
          let value: unknown;
          try {
            value = await job.run(trx);
          } catch (error) {
            // Undo only this caller's writes; the batch goes on. (If the rollback itself fails, the
            // outer catch ends the batch and this caller still gets its own error.)
            current = undefined;
            try {
              await this.driver.rollbackToSavepoint(trx);
            } finally {
              job.reject(error);
            }
            continue;
          }
          await this.driver.releaseSavepoint(trx);
          done.push({ job, value });
        }
        current = undefined;
      }
      this.stats.largestBatch = Math.max(this.stats.largestBatch, size);
      await this.driver.commit(trx);
    } catch (error) {
      // A savepoint command or COMMIT failed: nothing of this batch is kept.
      await this.rollbackQuietly(trx);
      current?.reject(error);
      for (const { job } of done) job.reject(error);
      return;
    }
    for (const { job, value } of done) job.resolve(value);
  }

  private async rollbackQuietly(trx: T): Promise<void> {
    try {
      await this.driver.rollback(trx);
    } catch {
      // The transaction is gone either way (a failed COMMIT or ROLLBACK leaves nothing committed),
      // and the caller's own error says more than the rollback's.
    }
  }
}
