// Leader election among controller processes on one database: a session-level advisory lock on a
// dedicated connection. The lock lives exactly as long as that connection, so a leader that dies
// (kill -9, host loss) frees it as soon as PostgreSQL notices the connection is gone, and a leader
// that loses its connection steps down at once (it can no longer be sure it leads).
import pg from 'pg';
import { clientConfig, type PostgresConnectionOptions } from './postgres-connection.ts';
import { leaderLockKey } from './postgres-locks.ts';

export interface LeaderElectionOptions extends PostgresConnectionOptions {
  /** How often a follower tries the lock, and a leader checks its connection (ms; default 500). */
  pollMs?: number;
  /**
   * Leadership changes; `leading` false after a loss. Awaited before the next poll. When taking the
   * lead throws (say, the UDP port is busy), the lock is given back and tried again after
   * `retryAfterFailureMs`, so another process can lead meanwhile.
   */
  onChange(leading: boolean): void | Promise<void>;
  /** Default 5000 ms. */
  retryAfterFailureMs?: number;
  /** Connection trouble, for the log. */
  onError?(error: unknown): void;
}

export class PostgresLeaderElection {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private leading = false;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Tries at once (so a lone process leads before this resolves), then keeps polling. */
  async start(): Promise<void> {
    await this.poll();
  }

  /** Steps down (releasing the lock with the connection) and stops polling. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
    await this.dropConnection();
    await this.setLeading(false);
  }

  private poll(): Promise<void> {
    let wait = this.options.pollMs ?? 500;
    this.polling = this.tick()
      .catch(async (error: unknown) => {
        this.options.onError?.(error);
        await this.dropConnection();
        if (this.leading) {
          await this.setLeading(false).catch(() => undefined);
        } else {
          // Taking the lead failed: the lock went back with the connection; let others try first.
          wait = this.options.retryAfterFailureMs ?? 5000;
        }
      })
      .finally(() => {
        this.polling = undefined;
        if (!this.stopped) {
          this.timer = setTimeout(() => void this.poll(), wait);
          this.timer.unref();
        }
      });
    return this.polling;
  }

  private async tick(): Promise<void> {
    const client = await this.connection();
    if (this.leading) {
      // Still connected means still holding the lock.
      await client.query('select 1');
      return;
    }
    const { classId, objectId } = leaderLockKey(this.options.schema);
    const { rows } = await client.query<{ locked: boolean }>(
      'select pg_try_advisory_lock($1::int4, $2::int4) as locked',
      [classId, objectId],
    );
    if (rows[0]?.locked === true && !this.stopped) await this.setLeading(true);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(clientConfig({ ...this.options, applicationName: 'routeplane-leader' }));
    const lost = (error: unknown) => {
      // The lock went with the connection: step down now, not at the next poll.
      if (this.client !== client) return;
      this.options.onError?.(error);
      this.client = undefined;
      client.end().catch(() => undefined);
      void this.setLeading(false);
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('leader connection ended')));
    await client.connect();
    this.client = client;
    return client;
  }

  private async dropConnection(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async setLeading(leading: boolean): Promise<void> {
    if (this.leading === leading) return;
    if (!leading) {
      this.leading = false;
      await this.options.onChange(false);
      return;
    }
    try {
      await this.options.onChange(true);
    } catch (error) {
      // Whatever part did start is for the caller to have undone; we never count as leading.
      await this.options.onChange(false);
      throw error;
    }
    this.leading = true;
  }
}
