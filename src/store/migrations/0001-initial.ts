// The initial schema. Dialect-neutral on purpose (text, integer, bigint; no SQLite-only syntax) so
// PostgreSQL runs this same file; only the event id column branches (see dialect-flavor.ts).
// Append-only: once released, never edit a migration — add the next number instead.
import type { Kysely, Migration } from 'kysely';
import { isPostgres } from './dialect-flavor.ts';

export const initialMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('setting')
      .addColumn('key', 'text', (col) => col.primaryKey())
      .addColumn('value', 'text', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('network')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('revision', 'bigint', (col) => col.notNull())
      .addColumn('creation_time', 'bigint', (col) => col.notNull())
      .addColumn('doc', 'text', (col) => col.notNull())
      .execute();

    // Keyed by source first so each writer replaces its own rows with one range delete. The primary
    // key's (network_id, …) prefix also serves lookups by network, so no separate index.
    await db.schema
      .createTable('route')
      .addColumn('network_id', 'text', (col) => col.notNull())
      .addColumn('source', 'text', (col) => col.notNull().defaultTo('manual'))
      .addColumn('position', 'integer', (col) => col.notNull())
      .addColumn('target', 'text', (col) => col.notNull())
      .addColumn('via', 'text')
      .addColumn('owner', 'text')
      .addColumn('metric', 'integer', (col) => col.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('route_pk', ['network_id', 'source', 'position'])
      .addForeignKeyConstraint('route_network_fk', ['network_id'], 'network', ['id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();

    await db.schema
      .createTable('member')
      .addColumn('network_id', 'text', (col) => col.notNull())
      .addColumn('address', 'text', (col) => col.notNull())
      .addColumn('revision', 'bigint', (col) => col.notNull())
      .addColumn('authorized', 'integer', (col) => col.notNull())
      .addColumn('creation_time', 'bigint', (col) => col.notNull())
      .addColumn('ip_assignments', 'text', (col) => col.notNull())
      .addColumn('doc', 'text', (col) => col.notNull())
      .addPrimaryKeyConstraint('member_pk', ['network_id', 'address'])
      .addForeignKeyConstraint('member_network_fk', ['network_id'], 'network', ['id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    // Lets countMembers count authorized members from the index alone.
    await db.schema
      .createIndex('member_authorized_idx')
      .on('member')
      .columns(['network_id', 'authorized'])
      .execute();

    // The primary key is the rule: one holder per IP per network.
    await db.schema
      .createTable('member_ip')
      .addColumn('network_id', 'text', (col) => col.notNull())
      .addColumn('ip', 'text', (col) => col.notNull())
      .addColumn('address', 'text', (col) => col.notNull())
      .addPrimaryKeyConstraint('member_ip_pk', ['network_id', 'ip'])
      .addForeignKeyConstraint(
        'member_ip_member_fk',
        ['network_id', 'address'],
        'member',
        ['network_id', 'address'],
        (fk) => fk.onDelete('cascade'),
      )
      .execute();
    // For rewriting one member's IPs and for the foreign key check when a member is deleted.
    await db.schema
      .createIndex('member_ip_member_idx')
      .on('member_ip')
      .columns(['network_id', 'address'])
      .execute();

    // No foreign key to network: the event log outlives what it describes.
    const postgres = isPostgres(db);
    await db.schema
      .createTable('event')
      .addColumn('id', postgres ? 'bigint' : 'integer', (col) =>
        // SQLite: AUTOINCREMENT so ids are never reused even if the newest rows are pruned.
        postgres ? col.generatedByDefaultAsIdentity().primaryKey() : col.primaryKey().autoIncrement(),
      )
      .addColumn('time', 'bigint', (col) => col.notNull())
      .addColumn('network_id', 'text')
      .addColumn('member_address', 'text')
      .addColumn('type', 'text', (col) => col.notNull())
      .addColumn('actor', 'text', (col) => col.notNull())
      .addColumn('reason', 'text', (col) => col.notNull())
      .addColumn('data', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('event_network_idx').on('event').columns(['network_id', 'id']).execute();
  },
};
