// Connection settings Routeplane's PostgreSQL backend rests on, shared by the pool, the listener and
// the leader lock (each of those last two holds one dedicated connection).
import pg from 'pg';

export interface PostgresConnectionOptions {
  /** `postgres://user@host:port/database?…` */
  connectionString: string;
  /**
   * A schema to use instead of `public` (created when missing): lets several Routeplane databases,
   * or test runs, share one PostgreSQL database.
   */
  schema?: string;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/** Most connections the pool opens: writes use one at a time (they are serialized), reads the rest. */
export const POOL_SIZE = 10;

/** A schema name we can put in a search_path without quoting surprises. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new Error(`PostgreSQL schema "${schema}" must be lower-case letters, digits and _ (at most 63)`);
  return schema;
}

export function clientConfig(options: PostgresConnectionOptions): pg.ClientConfig {
  const config: pg.ClientConfig = {
    connectionString: options.connectionString,
    application_name: options.applicationName ?? 'routeplane',
    // A dead server must not hang a request for minutes.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  };
  if (options.schema !== undefined) config.options = `-c search_path=${checkSchemaName(options.schema)}`;
  return config;
}

export function createPool(options: PostgresConnectionOptions): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(options), max: POOL_SIZE, idleTimeoutMillis: 30_000 });
  // An idle client whose server went away emits 'error' on the pool; unhandled, that would crash
  // the process. The next checkout opens a fresh connection.
  pool.on('error', () => undefined);
  return pool;
}

/** Creates the schema when the options name one (before the pool's connections use it). */
export async function ensureSchema(options: PostgresConnectionOptions): Promise<void> {
  if (options.schema === undefined) return;
  const client = new pg.Client(clientConfig({ ...options, schema: undefined }));
  await client.connect();
  try {
    await client.query(`create schema if not exists ${checkSchemaName(options.schema)}`);
  } catch (error) {
    // Two processes creating it at once: one wins, the other sees a duplicate.
    if ((error as { code?: string }).code !== '23505' && (error as { code?: string }).code !== '42P06')
      throw error;
  } finally {
    await client.end();
  }
}
