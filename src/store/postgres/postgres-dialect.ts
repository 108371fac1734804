// Kysely's PostgreSQL dialect over Routeplane's pool, with one change: every transaction takes the
// store's write lock in the same round trip as its BEGIN (a simple-protocol query may carry two
// statements), so transactions of all processes on the database run one at a time. Kysely's adapter
// already says PostgreSQL runs DDL in transactions, and its Migrator takes an advisory lock of its
// own, so two processes starting at once apply each migration once.
import {
  CompiledQuery,
  PostgresDialect,
  PostgresDriver,
  sql,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type Driver,
  type Kysely,
  type SchemaMetadata,
  type TableMetadata,
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

/**
 * What Kysely's Migrator asks to know whether its tables exist, answered from our own schema only.
 * Kysely's own introspector scans every schema of the database with functions that fail with
 * "schema … does not exist" when another installation (or test run) drops its schema meanwhile, and
 * then a store could not open. No columns: the Migrator needs only names.
 */
class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select current_schema() as name`.execute(this.db);
    return rows;
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ schema: string; name: string; kind: string }>`
      select n.nspname as schema, c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm')`.execute(this.db);
    return rows.map((row) => ({
      name: row.name,
      schema: row.schema,
      isView: row.kind === 'v' || row.kind === 'm',
      columns: [],
    }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
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

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}

export function createPostgresDialect(pool: pg.Pool, writeLock: AdvisoryKey): PostgresDialect {
  // Integers of our own making, so inlining them is safe (a simple query has no parameters).
  const { classId, objectId } = writeLock;
  if (!Number.isInteger(classId) || !Number.isInteger(objectId))
    throw new Error('advisory lock keys must be integers');
  return new WriteLockingDialect({ pool }, `begin; select pg_advisory_xact_lock(${classId}, ${objectId})`);
}
