// Where an offline takeover command's store is, from its options, and whether it exists yet:
// opening a missing SQLite file would create an empty database.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATABASE_FILE, type StoreLocation } from '../../store/open-store.ts';
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
  const url = location.databaseUrl;
  if (url === undefined) return existsSync(join(location.dataDir, DATABASE_FILE));
  if (url.startsWith('sqlite:')) return existsSync(url.slice('sqlite:'.length));
  return true;
}
