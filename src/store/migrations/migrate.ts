// Brings a database to the latest schema on open. Refuses a database migrated by a newer Routeplane
// (Kysely reports an executed migration this build does not know) rather than guessing.
import { Migrator, type Kysely } from 'kysely';
import type { StoreDatabase } from '../schema.ts';
import { migrationProvider } from './migrations.ts';

/**
 * `schema`: where the migration bookkeeping tables live (PostgreSQL with a schema of its own). Kysely
 * looks for them in every schema it can see, so without it another schema's tables would be taken
 * for ours.
 */
export async function migrateToLatest(db: Kysely<StoreDatabase>, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const what = failed === undefined ? 'database migration failed' : `database migration ${failed} failed`;
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
