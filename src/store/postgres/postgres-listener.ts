// One dedicated connection that LISTENs for change notifications. pg does not reconnect a client by
// itself, so this owns the loop: on any error or end it reconnects with backoff, LISTENs again, and
// then reports a reconnect, because whatever was NOTIFYed meanwhile never reached it.
import pg from 'pg';
import { clientConfig, type PostgresConnectionOptions } from './postgres-connection.ts';

export interface ListenerEvents {
  /** A notification arrived on the channel. */
  onNotification(payload: string | undefined): void;
  /** LISTEN is (again) in place; `reconnected` after a loss, not on the first connect. */
  onListening(reconnected: boolean): void;
  /** The connection was lost (logged by the caller). */
  onLost?(error: unknown): void;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;

export class PostgresListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private connectedOnce = false;
  private backoff = MIN_BACKOFF_MS;
  private retry: NodeJS.Timeout | undefined;
  /** Settles when the first LISTEN is in place (or start gave up). */
  private firstListen: Promise<void> | undefined;

  constructor(
    private readonly options: PostgresConnectionOptions,
    private readonly channel: string,
    private readonly events: ListenerEvents,
  ) {}

  /** Connects and LISTENs; rejects when the first attempt fails (the caller decides). */
  start(): Promise<void> {
    this.firstListen ??= this.connect();
    return this.firstListen;
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Drops the connection as a network failure would (tests of the reconnect path). */
  breakConnection(): void {
    const client = this.client as unknown as { connection?: { stream?: { destroy(): void } } } | undefined;
    client?.connection?.stream?.destroy();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(clientConfig({ ...this.options, applicationName: 'routeplane-listen' }));
    let lost = false;
    const onLoss = (error: unknown) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.events.onLost?.(error);
      this.scheduleReconnect();
    };
    client.on('error', onLoss);
    client.on('end', () => onLoss(new Error('listener connection ended')));
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.events.onNotification(message.payload);
    });
    await client.connect();
    await client.query(`listen ${this.channel}`);
    if (this.stopped || lost) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.backoff = MIN_BACKOFF_MS;
    const reconnected = this.connectedOnce;
    this.connectedOnce = true;
    this.events.onListening(reconnected);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    const wait = this.backoff;
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().catch((error: unknown) => {
        this.events.onLost?.(error);
        this.scheduleReconnect();
      });
    }, wait);
    this.retry.unref();
  }
}
