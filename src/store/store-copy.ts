// Copies a whole Routeplane database to another backend (SQLite → PostgreSQL and back): every table
// the migrations made, row for row, keys included, in ONE target transaction, so a failed copy leaves
// the target as it was. The source may be in use (reads only); the target must hold no data yet.
import { sql, type Kysely } from 'kysely';
import { isPostgres } from './migrations/dialect-flavor.ts';
import { tablesOf } from './kysely-store.ts';
import type { StoreDatabase } from './schema.ts';
import type { Store } from './store.ts';

type TableName = keyof StoreDatabase;

/** Parents before children (foreign keys), each with its primary key for keyset paging. */
export const COPIED_TABLES: ReadonlyArray<{ table: TableName; key: readonly string[] }> = [
  { table: 'setting', key: ['key'] },
  { table: 'network', key: ['id'] },
  { table: 'route', key: ['network_id', 'source', 'position'] },
  { table: 'member', key: ['network_id', 'address'] },
  { table: 'member_ip', key: ['network_id', 'ip'] },
  { table: 'event', key: ['id'] },
  { table: 'known_identity', key: ['address'] },
  { table: 'ipam_subnet', key: ['id'] },
  { table: 'advertised_route', key: ['network_id', 'member_address', 'prefix'] },
  { table: 'api_token', key: ['id'] },
];
// change_log is left behind on purpose: it describes the source's processes, not data.

/** Rows per read and per insert statement (well under PostgreSQL's 65,535 parameters). */
const PAGE = 1000;

export interface CopyProgress {
  table(name: string, total: number): void;
  rows(done: number): void;
}

export interface CopySummary {
  rows: Record<string, number>;
  total: number;
}

async function count(db: Kysely<StoreDatabase>, table: TableName): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Refuses a target that already holds networks, members, settings, subnets, tokens or events. */
export async function checkEmptyTarget(target: Store): Promise<void> {
  const db = tablesOf(target);
  const held: string[] = [];
  for (const { table } of COPIED_TABLES) {
    const n = await count(db, table);
    if (n > 0) held.push(`${n} ${table}`);
  }
  if (held.length > 0)
    throw new Error(`the target database is not empty (${held.join(', ')}); copy into an empty one`);
}

export async function copyStore(source: Store, target: Store, progress?: CopyProgress): Promise<CopySummary> {
  await checkEmptyTarget(target);
  const from = tablesOf(source);
  const to = tablesOf(target);
  const summary: CopySummary = { rows: {}, total: 0 };
  // One transaction on the target: all or nothing. The target is a fresh database nobody else
  // writes to, so this bypasses the store's own (batched) transactions.
  await to.transaction().execute(async (trx) => {
    for (const { table, key } of COPIED_TABLES) {
      const total = await count(from, table);
      progress?.table(table, total);
      let done = 0;
      let after: unknown[] | undefined;
      for (;;) {
        let query = from.selectFrom(table).selectAll();
        if (after !== undefined) {
          const last = after;
          // Row-value comparison: the same on SQLite and PostgreSQL.
          query = query.where(
            sql<boolean>`(${sql.join(key.map((column) => sql.ref(column)))}) > (${sql.join(last)})`,
          );
        }
        for (const column of key) query = query.orderBy(column as never);
        const rows = (await query.limit(PAGE).execute()) as Array<Record<string, unknown>>;
        if (rows.length === 0) break;
        await trx
          .insertInto(table)
          .values(rows as never)
          .execute();
        done += rows.length;
        progress?.rows(done);
        const lastRow = rows.at(-1)!;
        after = key.map((column) => lastRow[column]);
        if (rows.length < PAGE) break;
      }
      summary.rows[table] = done;
      summary.total += done;
    }
    // Copied event ids were given explicitly: the target's own counter must continue after them.
    if (isPostgres(to as Kysely<unknown>)) {
      await sql`select setval(pg_get_serial_sequence('event', 'id'), coalesce((select max(id) from event), 0) + 1, false)`.execute(
        trx,
      );
    }
  });
  // Fresh tables have no planner statistics: until autovacuum gets to them, PostgreSQL picks plans
  // that made the member list ~8x slower at 100,000 members (bench:store). Gather them now.
  if (isPostgres(to as Kysely<unknown>))
    await sql`analyze ${sql.join(COPIED_TABLES.map(({ table }) => sql.table(table)))}`.execute(to);
  return summary;
}
