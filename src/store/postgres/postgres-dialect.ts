// Kysely's PostgreSQL dialect over Routeplane's pool, with one change: every transaction takes the
// store's write lock in the same round trip as its BEGIN (a simple-protocol query may carry two
// statements), so transactions of all processes on the database run one at a time. Kysely's adapter
// already says PostgreSQL runs DDL in transactions, and its Migrator takes an advisory lock of its
// own, so two processes starting at once apply each migration once.
import {
  CompiledQuery,
  PostgresDialect,
  PostgresDriver,
  type DatabaseConnection,
  type Driver,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';
import type { AdvisoryKey } from './postgres-locks.ts';

class WriteLockingDriver extends PostgresDriver {
  constructor(
    config: ConstructorParameters<typeof PostgresDriver>[0],
    private readonly begin: string,
  ) {
    super(config);
  }

  override async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    if (settings.isolationLevel !== undefined || settings.accessMode !== undefined) {
      await super.beginTransaction(connection, settings);
      await connection.executeQuery(CompiledQuery.raw(this.begin.slice(this.begin.indexOf(';') + 1)));
      return;
    }
    await connection.executeQuery(CompiledQuery.raw(this.begin));
  }
}

class WriteLockingDialect extends PostgresDialect {
  constructor(
    private readonly config: ConstructorParameters<typeof PostgresDialect>[0],
    private readonly begin: string,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new WriteLockingDriver(this.config, this.begin);
  }
}

export function createPostgresDialect(pool: pg.Pool, writeLock: AdvisoryKey): PostgresDialect {
  // Integers of our own making, so inlining them is safe (a simple query has no parameters).
  const { classId, objectId } = writeLock;
  if (!Number.isInteger(classId) || !Number.isInteger(objectId))
    throw new Error('advisory lock keys must be integers');
  return new WriteLockingDialect({ pool }, `begin; select pg_advisory_xact_lock(${classId}, ${objectId})`);
}
