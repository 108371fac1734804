// The change log: what each committed write changed, in commit order, so every controller process on
// one PostgreSQL database can bring its in-memory state up to date (NOTIFY says "look"; this table says
// what, and survives the notifications a disconnected listener never got). Dialect-neutral like the
// others; SQLite has one process and leaves it empty.
// Append-only: once released, never edit a migration — add the next number instead.
import type { Kysely, Migration } from 'kysely';

export const changeLogMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('change_log')
      // Assigned as max + 1 under the store's write lock, so it is the commit order without gaps.
      .addColumn('seq', 'bigint', (col) => col.primaryKey())
      // The process that wrote it (it skips its own entries).
      .addColumn('origin', 'text', (col) => col.notNull())
      .addColumn('time', 'bigint', (col) => col.notNull())
      .addColumn('payload', 'text', (col) => col.notNull())
      .execute();
  },
};
