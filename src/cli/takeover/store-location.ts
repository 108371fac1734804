// Where an offline takeover command's store is, from its options, and whether it exists yet:
// opening a missing SQLite file would create an empty database.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sqliteFileOf, type StoreLocation } from '../../store/open-store.ts';
import type { StoreOptions } from '../store-options.ts';

export function storeLocationOf(options: StoreOptions): StoreLocation {
  return {
    dataDir: resolve(options.dataDir),
    // An empty ROUTEPLANE_DATABASE_URL means "not set", as it does for serve.
    databaseUrl: options.database || undefined,
    schema: options.databaseSchema,
  };
}

/** False only when the store is surely not there yet (a SQLite file that does not exist). */
export function storeMayExist(location: StoreLocation): boolean {
  const file = sqliteFileOf(location);
  return file === undefined || existsSync(file);
}
