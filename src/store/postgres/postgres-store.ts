// The PostgreSQL backend: the same Kysely store as SQLite's, plus what several processes on one
// database need — a write lock so read-modify-write transactions of different processes never
// interleave, and the change log + LISTEN/NOTIFY so each process's in-memory state follows the others.
import { randomUUID } from 'node:crypto';
import { Kysely } from 'kysely';
import { createKyselyStore } from '../kysely-store.ts';
import { migrateToLatest } from '../migrations/migrate.ts';
import type { StoreDatabase } from '../schema.ts';
import type { ForeignChangeHandler, Store } from '../store.ts';
import { PostgresChangeLog, CHANGE_CHANNEL } from './postgres-change-log.ts';
import { createPool, ensureSchema, type PostgresConnectionOptions } from './postgres-connection.ts';
import { createPostgresDialect } from './postgres-dialect.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { PostgresListener } from './postgres-listener.ts';
import { writeLockKey } from './postgres-locks.ts';

export interface PostgresStoreOptions extends PostgresConnectionOptions {
  /** This process in the change log (default: a random UUID). */
  instanceId?: string;
  /** How often old change-log entries are pruned (ms; default 60 s). */
  pruneEveryMs?: number;
  /** Told when the listener loses or regains its connection. */
  onListenerState?: (state: 'lost' | 'listening', error?: unknown) => void;
}

export interface PostgresStore extends Store {
  readonly instanceId: string;
  /** Tests: drop the listener's connection as a network failure would. */
  breakListener(): void;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  await ensureSchema(options);
  const pool = createPool(options);
  const db = new Kysely<StoreDatabase>({
    dialect: createPostgresDialect(pool, writeLockKey(options.schema)),
  });
  const instanceId = options.instanceId ?? randomUUID();
  const changeLog = new PostgresChangeLog(instanceId);
  let listener: PostgresListener | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  try {
    // Kysely's Migrator holds an advisory lock while it migrates: concurrent starts apply each once.
    await migrateToLatest(db, options.schema);
    await changeLog.start(db);
    listener = new PostgresListener(options, CHANGE_CHANNEL, {
      onNotification: (payload) => {
        if (!changeLog.isOwnNotification(payload)) void changeLog.catchUp(db).catch(() => undefined);
      },
      onListening: (reconnected) => {
        options.onListenerState?.('listening');
        // Notifications sent while it was away are lost; the log still has what they announced.
        if (reconnected) void changeLog.catchUp(db).catch(() => undefined);
      },
      onLost: (error) => options.onListenerState?.('lost', error),
    });
    await listener.start();
  } catch (error) {
    await listener?.stop();
    await db.destroy();
    throw error;
  }
  pruneTimer = setInterval(
    () => void changeLog.prune(db).catch(() => undefined),
    options.pruneEveryMs ?? 60_000,
  );
  pruneTimer.unref();

  const store = createKyselyStore({
    kind: 'postgres',
    db,
    classifyError: classifyPostgresError,
    afterBegin: (trx) => changeLog.afterBegin(trx),
    announce: (trx, payload) => changeLog.announce(trx, payload),
    onForeignChanges: (handler: ForeignChangeHandler) => changeLog.setHandler(handler),
    async close() {
      if (pruneTimer) clearInterval(pruneTimer);
      pruneTimer = undefined;
      await listener?.stop();
      await db.destroy();
    },
  });
  return Object.assign(store, {
    instanceId,
    breakListener: () => listener?.breakConnection(),
  }) as PostgresStore;
}
