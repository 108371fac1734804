// Kysely's PostgreSQL dialect over Routeplane's pool. Unlike SQLite's, nothing needs correcting:
// PostgreSQL runs DDL inside transactions and Kysely's adapter says so, and its Migrator already takes
// an advisory lock, so two processes starting at once apply each migration once.
import { PostgresDialect } from 'kysely';
import type pg from 'pg';

export function createPostgresDialect(pool: pg.Pool): PostgresDialect {
  return new PostgresDialect({ pool });
}
