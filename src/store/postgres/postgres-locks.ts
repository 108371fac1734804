// Advisory lock keys. PostgreSQL's advisory locks are per database, so the key carries the schema:
// Routeplane installations (or test runs) in different schemas of one database never block each other.
import { createHash } from 'node:crypto';

/** The two-int form (classid, objid) keeps our keys apart from Kysely's migration lock (one bigint). */
export interface AdvisoryKey {
  classId: number;
  objectId: number;
}

const WRITE_CLASS = 0x52500001; // "RP" 1: the store's write lock
const LEADER_CLASS = 0x52500002; // "RP" 2: the leader of the controller processes

function schemaHash(schema: string | undefined): number {
  return createHash('sha256')
    .update(schema ?? 'public')
    .digest()
    .readInt32BE(0);
}

/** Held by every write transaction until it ends: writes from all processes run one at a time. */
export function writeLockKey(schema: string | undefined): AdvisoryKey {
  return { classId: WRITE_CLASS, objectId: schemaHash(schema) };
}

/** Held for as long as a process leads (session-level, so it dies with the process's connection). */
export function leaderLockKey(schema: string | undefined): AdvisoryKey {
  return { classId: LEADER_CLASS, objectId: schemaHash(schema) };
}
