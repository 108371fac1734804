// Cross-process change propagation over the change_log table (migration 0005) and NOTIFY.
//
// Every write transaction takes the write lock first, so change-log sequence numbers are handed out in
// commit order without gaps, and a process that reads the log from its last seen number misses
// nothing: not while its listener was disconnected, not when a NOTIFY was lost. NOTIFY only says
// "look"; the log says what. A process catches up (a) right after taking the write lock, so its write
// never builds on a stale cache, (b) on each NOTIFY, (c) after its listener reconnects.
import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from '../schema.ts';
import type { ForeignChangeHandler } from '../store.ts';
import { toNumber } from '../record-mapping.ts';

export const CHANGE_CHANNEL = 'routeplane_changes';

/** Entries older than this and this far behind the newest are pruned (a process further behind resyncs fully). */
export const KEEP_ENTRIES = 10_000;
export const KEEP_MS = 10 * 60_000;

export class PostgresChangeLog {
  private lastApplied = 0;
  private handler: ForeignChangeHandler | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly origin: string,
    private readonly channel = CHANGE_CHANNEL,
    private readonly clock: () => number = Date.now,
    private readonly keep: { entries: number; ms: number } = { entries: KEEP_ENTRIES, ms: KEEP_MS },
  ) {}

  /** Starts from the newest entry: a process that just started has nothing cached. */
  async start(db: Kysely<StoreDatabase>): Promise<void> {
    const row = await db
      .selectFrom('change_log')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    this.lastApplied = row?.seq == null ? 0 : toNumber(row.seq);
  }

  setHandler(handler: ForeignChangeHandler): void {
    this.handler = handler;
  }

  /** Runs after BEGIN, which took the write lock in the same round trip (postgres-dialect.ts). */
  async afterBegin(trx: Kysely<StoreDatabase>): Promise<void> {
    await this.catchUp(trx);
  }

  /** Whether a NOTIFY payload came from this process (it need not look at its own writes). */
  isOwnNotification(payload: string | undefined): boolean {
    return payload !== undefined && payload.startsWith(`${this.origin} `);
  }

  async announce(trx: Kysely<StoreDatabase>, payload: string): Promise<void> {
    // Under the write lock (taken at BEGIN), max + 1 is this transaction's own; a rolled-back
    // statement frees it again, so no gaps. The NOTIFY is delivered at COMMIT and dropped at
    // ROLLBACK; one statement for both saves a round trip.
    await sql`
      with entry as (
        insert into change_log (seq, origin, time, payload)
        select coalesce(max(seq), 0) + 1, ${this.origin}, ${this.clock()}, ${payload} from change_log
        returning seq)
      select pg_notify(${this.channel}, ${`${this.origin} `} || entry.seq::text) from entry`.execute(trx);
  }

  /** Reads what others committed since the last look and hands it to the handler, one look at a time. */
  catchUp(db: Kysely<StoreDatabase>): Promise<void> {
    const run = this.chain.then(() => this.look(db));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async prune(db: Kysely<StoreDatabase>): Promise<number> {
    const result = await sql`
      delete from change_log
      where seq <= (select max(seq) from change_log) - ${this.keep.entries} and time < ${this.clock() - this.keep.ms}`.execute(
      db,
    );
    return Number(result.numAffectedRows ?? 0n);
  }

  private async look(db: Kysely<StoreDatabase>): Promise<void> {
    const from = this.lastApplied;
    const { rows } = await sql<{ seq: string; foreign: boolean; payload: string | null }>`
      select seq, origin <> ${this.origin} as foreign,
             case when origin <> ${this.origin} then payload end as payload
      from change_log where seq > ${from} order by seq`.execute(db);
    if (rows.length === 0) return;
    // Numbers have no gaps, so a jump means entries this process never read were pruned.
    const complete = toNumber(rows[0]!.seq) === from + 1;
    const payloads = rows.filter((r) => r.foreign).map((r) => r.payload!);
    this.lastApplied = toNumber(rows.at(-1)!.seq);
    if (payloads.length === 0 && complete) return;
    await this.handler?.({ payloads, complete });
  }
}
