// Subnet routers: the routes members advertise (and operators approve), and API tokens. Dialect-neutral
// like 0001 and 0003 (text, integer, bigint only) so PostgreSQL runs it too.
// Append-only: once released, never edit a migration — add the next number instead.
//
// advertised_route has a foreign key to network (its rows go with the network, as route's do) but
// none to member: the store never requires the advertising member to exist, and deleteMember removes
// the member's rows itself. api_token has no foreign key at all: a token scoped to a network or member
// outlives it until the service decides what to do with it.
import type { Kysely, Migration } from 'kysely';

export const subnetRoutersMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('advertised_route')
      .addColumn('network_id', 'text', (col) => col.notNull())
      .addColumn('member_address', 'text', (col) => col.notNull())
      .addColumn('prefix', 'text', (col) => col.notNull())
      .addColumn('metric', 'integer', (col) => col.notNull())
      // Booleans as 0/1, as member.authorized.
      .addColumn('advertised', 'integer', (col) => col.notNull())
      .addColumn('approved', 'integer', (col) => col.notNull())
      .addColumn('approved_by', 'text')
      .addColumn('slot', 'integer', (col) => col.notNull())
      .addColumn('advertised_at', 'bigint')
      .addColumn('approved_at', 'bigint')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addColumn('is_primary', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('health', 'text')
      .addColumn('health_since', 'bigint')
      // Its (network_id, member_address) prefix serves the per-member deletes and the distinct
      // network ids, so no separate index for those.
      .addPrimaryKeyConstraint('advertised_route_pk', ['network_id', 'member_address', 'prefix'])
      .addForeignKeyConstraint('advertised_route_network_fk', ['network_id'], 'network', ['id'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    // Every advertiser of one prefix (failover between routers of the same subnet), and the
    // network's list in prefix order.
    await db.schema
      .createIndex('advertised_route_prefix_idx')
      .on('advertised_route')
      .columns(['network_id', 'prefix'])
      .execute();

    await db.schema
      .createTable('api_token')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('token_hash', 'text', (col) => col.notNull())
      .addColumn('network_id', 'text')
      .addColumn('member_address', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('last_used_at', 'bigint')
      // One secret, one token: authentication looks tokens up by hash (this constraint's index).
      .addUniqueConstraint('api_token_hash_key', ['token_hash'])
      .execute();
  },
};
