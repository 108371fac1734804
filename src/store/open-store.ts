// Opens the store an operator chose: the embedded SQLite file in the data dir by default, or a
// PostgreSQL database given as a postgres:// URL (--database or ROUTEPLANE_DATABASE_URL).
import { join } from 'node:path';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** The SQLite file's name inside the data dir (the stock controller's is controller.d/). */
export const DATABASE_FILE = 'controller.db';

export interface StoreLocation {
  /** The data dir; the SQLite file lives here when no database URL is given. */
  dataDir: string;
  /** `postgres://…` / `postgresql://…`, or `sqlite:PATH`; default: `<dataDir>/controller.db`. */
  databaseUrl?: string;
}

export function describeStoreLocation(location: StoreLocation): string {
  return location.databaseUrl ?? `sqlite:${join(location.dataDir, DATABASE_FILE)}`;
}

export async function openStore(location: StoreLocation): Promise<Store> {
  const url = location.databaseUrl;
  if (url === undefined) return openSqliteStore({ file: join(location.dataDir, DATABASE_FILE) });
  if (url.startsWith('sqlite:')) return openSqliteStore({ file: url.slice('sqlite:'.length) });
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.ts');
    return openPostgresStore({ connectionString: url });
  }
  throw new Error(`database "${url}" is neither postgres://… nor sqlite:PATH`);
}
