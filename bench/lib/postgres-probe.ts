// Context figures for a PostgreSQL-backed benchmark, read with a plain pg client beside the store: the
// server's version and durability settings, how many durable commits per second it allows, and how
// much room one schema takes.
import pg from 'pg';
import { clientConfig } from '../../src/store/postgres/postgres-connection.ts';
import { elapsedMsSince } from './stats.ts';

const ROW = 'x'.repeat(800);

async function withClient<T>(
  url: string,
  schema: string | undefined,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(
    clientConfig({ connectionString: url, schema, applicationName: 'routeplane-bench' }),
  );
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** e.g. `PostgreSQL 15.20, fsync on, synchronous_commit on, shared_buffers 128MB`. */
export function describePostgres(url: string): Promise<string> {
  return withClient(url, undefined, async (client) => {
    const { rows } = await client.query<{ version: string; fsync: string; sync: string; buffers: string }>(
      `select current_setting('server_version') as version, current_setting('fsync') as fsync,
              current_setting('synchronous_commit') as sync, current_setting('shared_buffers') as buffers`,
    );
    const row = rows[0]!;
    return `PostgreSQL ${row.version}, fsync ${row.fsync}, synchronous_commit ${row.sync}, shared_buffers ${row.buffers}`;
  });
}

/**
 * Durable commits per second on this server: one 800-byte row per autocommitted INSERT, one client,
 * in a scratch table of `schema` (dropped afterwards). The counterpart of disk-probe.ts for SQLite.
 */
export function postgresCommitsPerSecond(url: string, schema: string, seconds = 1): Promise<number> {
  return withClient(url, schema, async (client) => {
    await client.query('create table commit_probe (id bigserial primary key, doc text not null)');
    try {
      const insert = {
        name: 'commit-probe',
        text: 'insert into commit_probe (doc) values ($1)',
        values: [ROW],
      };
      const start = process.hrtime.bigint();
      let commits = 0;
      while (elapsedMsSince(start) < seconds * 1000) {
        await client.query(insert);
        commits++;
      }
      return (commits / elapsedMsSince(start)) * 1000;
    } finally {
      await client.query('drop table commit_probe');
    }
  });
}

/** Bytes of every table of `schema` with its indexes and TOAST data. */
export function postgresSchemaBytes(url: string, schema: string): Promise<number> {
  return withClient(url, undefined, async (client) => {
    const { rows } = await client.query<{ bytes: string | null }>(
      `select sum(pg_total_relation_size(c.oid))::text as bytes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind = 'r'`,
      [schema],
    );
    return Number(rows[0]?.bytes ?? 0);
  });
}

/**
 * ANALYZE every table of `schema`, as autovacuum does some time after a bulk load: without statistics
 * the planner misjudges the member table (see the store benchmark's notes).
 */
export function analyzeSchema(url: string, schema: string): Promise<void> {
  return withClient(url, undefined, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `select quote_ident(schemaname) || '.' || quote_ident(tablename) as name from pg_tables where schemaname = $1`,
      [schema],
    );
    for (const { name } of rows) await client.query(`analyze ${name}`);
  });
}
