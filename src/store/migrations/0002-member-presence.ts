// Columns, indexes and a table for what the protocol layer needs without parsing every member document:
// validated identities, whether a member
// is an active bridge (the netconf `S` specialists of every config in the network), and when and from
// where it was last seen (written in batches by the presence tracker, never by putMember, so a record
// write cannot roll a newer lastSeen back).
import { sql, type Kysely, type Migration } from 'kysely';

export const memberPresenceMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('member')
      .addColumn('active_bridge', 'integer', (col) => col.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('member').addColumn('last_seen', 'bigint').execute();
    await db.schema.alterTable('member').addColumn('physical_address', 'text').execute();
    await sql`update member set active_bridge = 1 where doc like ${'%"activeBridge":true%'}`.execute(db);
    // Covers the stock member list ({address: revision}) so it never reads the documents.
    await db.schema
      .createIndex('member_revision_idx')
      .on('member')
      .columns(['network_id', 'address', 'revision'])
      .execute();
    // Identities whose memory-hard address check passed once: after a restart every member HELLOs
    // again, and re-hashing each (~30-100 ms) would stall re-joins for minutes on large networks.
    await db.schema
      .createTable('known_identity')
      .addColumn('address', 'text', (col) => col.primaryKey())
      .addColumn('identity', 'text', (col) => col.notNull())
      .addColumn('validated_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('member_active_bridge_idx')
      .on('member')
      .columns(['network_id', 'active_bridge'])
      .execute();
  },
};
