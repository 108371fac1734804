// Scratch schemas on the test PostgreSQL server (ROUTEPLANE_TEST_DATABASE_URL, default the local
// server's `test` database): each test store gets its own schema, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { checkSchemaName } from './postgres-connection.ts';

export const TEST_DATABASE_URL =
  process.env.ROUTEPLANE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function scratchSchemaName(): string {
  return `rp_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${checkSchemaName(schema)} cascade`);
  } finally {
    await client.end();
  }
}
