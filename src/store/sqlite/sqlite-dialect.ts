// Kysely's SQLite dialect with two corrections for how Routeplane uses it.
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
} from 'kysely';

/**
 * SQLite does run DDL inside transactions, but Kysely's adapter says it does not, so its Migrator
 * would apply a migration statement by statement: a crash halfway would leave a schema that the
 * next start can neither use nor migrate. Saying yes makes each migration run atomically.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Every store transaction writes, so take the write lock at BEGIN (IMMEDIATE): a deferred
 * transaction that reads and then writes fails at once with SQLITE_BUSY when another process (a CLI
 * command) wrote in between, instead of waiting out busy_timeout.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class RouteplaneSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];

  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
