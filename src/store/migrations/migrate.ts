// Brings a database to the latest schema on open. Refuses a database migrated by a newer Routeplane
// (Kysely reports an executed migration this build does not know) rather than guessing.
import { Migrator, type Kysely } from 'kysely';
import type { StoreDatabase } from '../schema.ts';
import { migrationProvider } from './migrations.ts';

export async function migrateToLatest(db: Kysely<StoreDatabase>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    const what = failed === undefined ? 'database migration failed' : `database migration ${failed} failed`;
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
