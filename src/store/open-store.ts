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
  /** SQLite only: run WAL checkpoints on a thread of their own (a serving controller; see sqlite-checkpointer.ts). */
  backgroundCheckpoints?: { onError?: (error: Error) => void };
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

/** The SQLite file a location names (the data dir's by default), or undefined for PostgreSQL. */
export function sqliteFileOf(location: StoreLocation): string | undefined {
  const url = location.databaseUrl;
  if (url === undefined) return join(location.dataDir, DATABASE_FILE);
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : undefined;
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
  const file = sqliteFileOf(location);
  if (file !== undefined)
    return openSqliteStore({ file, backgroundCheckpoints: location.backgroundCheckpoints });
  if (isPostgresUrl(url)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.ts');
    return openPostgresStore({
      connectionString: url,
      schema: location.schema,
      onListenerState: location.onListenerState,
    });
  }
  throw new Error(`database "${url}" is neither postgres://… nor sqlite:PATH`);
}
