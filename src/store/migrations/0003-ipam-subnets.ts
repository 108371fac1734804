// The IPAM subnet tree. Dialect-neutral like 0001 (text and bigint only) so PostgreSQL runs it too.
// Append-only: once released, never edit a migration — add the next number instead.
//
// parent_id has no foreign key on purpose: the core computes the whole tree and the service writes
// a plan's rows in any order (a child may be written before its new parent, a parent deleted in the
// same transaction that reparents its children), which an immediate constraint would refuse midway.
import type { Kysely, Migration } from 'kysely';

export const ipamSubnetsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('ipam_subnet')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('prefix', 'text', (col) => col.notNull())
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('parent_id', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      // Network routes name subnets by prefix, so one prefix is one subnet across the whole IPAM.
      .addUniqueConstraint('ipam_subnet_prefix_key', ['prefix'])
      .execute();
    // Children of a subnet (reparenting on delete, the tree view).
    await db.schema.createIndex('ipam_subnet_parent_idx').on('ipam_subnet').column('parent_id').execute();
  },
};
