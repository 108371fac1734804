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
  /** PostgreSQL only: the schema (default public) and listener state reports. */
  schema?: string;
  onListenerState?: (state: 'lost' | 'listening', error?: unknown) => void;
}

/** Where the data lives, for logs and progress output: a URL's password is never shown. */
export function describeStoreLocation(location: StoreLocation): string {
  const url = location.databaseUrl;
  if (url === undefined) return `sqlite:${join(location.dataDir, DATABASE_FILE)}`;
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.startsWith('sqlite:') ? url : '(unparsable database URL)';
  }
}

export async function openStore(location: StoreLocation): Promise<Store> {
  const url = location.databaseUrl;
  if (url === undefined) return openSqliteStore({ file: join(location.dataDir, DATABASE_FILE) });
  if (url.startsWith('sqlite:')) return openSqliteStore({ file: url.slice('sqlite:'.length) });
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.ts');
    return openPostgresStore({
      connectionString: url,
      schema: location.schema,
      onListenerState: location.onListenerState,
    });
  }
  throw new Error(`database "${url}" is neither postgres://… nor sqlite:PATH`);
}
