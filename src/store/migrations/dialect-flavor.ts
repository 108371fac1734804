// Migrations are written once for every backend. The one thing SQL has no common spelling for is an
// auto-assigned integer key, so migrations may ask which flavour they run on — for that and nothing else.
import { PostgresAdapter, type Kysely } from 'kysely';

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
