// The bug this pins: opening a store failed with `schema "rp_test_…" does not exist` when another
// installation in the same database dropped its schema while Kysely's Migrator scanned the catalog
// (and, under CI load, concurrent test stores saw inconsistent catalog answers). The dialect's own
// introspector looks at its own schema only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from './postgres-store.ts';
import { dropSchema, scratchSchemaName, TEST_DATABASE_URL } from './postgres-test-database.ts';

describe('PostgreSQL: other schemas created and dropped meanwhile', () => {
  it('opening (and migrating) a store succeeds while other schemas come and go', async () => {
    const churner = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await churner.connect();
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const name = `rp_churn_${process.pid}_${i}`;
        await churner.query(`create schema ${name}`);
        await churner.query(`create table ${name}.t (id int)`);
        await churner.query(`drop schema ${name} cascade`);
      }
    })();
    const schemas: string[] = [];
    try {
      for (let i = 0; i < 15; i++) {
        const schema = scratchSchemaName();
        schemas.push(schema);
        const store = await openPostgresStore({ connectionString: TEST_DATABASE_URL, schema });
        assert.deepEqual(await store.listNetworkIds(), []);
        await store.close();
      }
    } finally {
      churning = false;
      await churn;
      await churner.end();
      for (const schema of schemas) await dropSchema(schema);
    }
  });
});
