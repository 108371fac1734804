// How many durable commits per second the data dir's disk allows with the store's own SQLite settings
// (WAL, synchronous=FULL): the ceiling for one-transaction-per-update writes, printed for context.
import { rmSync } from 'node:fs';
import { openSqliteDatabase } from '../../src/store/sqlite/sqlite-connection.ts';
import { elapsedMsSince } from './stats.ts';

const ROW = 'x'.repeat(800);

export function durableCommitsPerSecond(scratchFile: string, seconds = 1): number {
  const database = openSqliteDatabase(scratchFile);
  try {
    database.exec('CREATE TABLE probe (id INTEGER PRIMARY KEY, doc TEXT NOT NULL)');
    const insert = database.prepare('INSERT INTO probe (doc) VALUES (?)');
    const commit = database.transaction(() => insert.run(ROW));
    const start = process.hrtime.bigint();
    let commits = 0;
    while (elapsedMsSince(start) < seconds * 1000) {
      commit();
      commits++;
    }
    return (commits / elapsedMsSince(start)) * 1000;
  } finally {
    database.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(scratchFile + suffix, { force: true });
  }
}
