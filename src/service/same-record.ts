// Record equality as stored: key order and absent-vs-undefined do not count, so a write that
// changes nothing can be recognised and skipped (no revision bump, no event, no push).
import { isDeepStrictEqual } from 'node:util';

export function normalizeRecord(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

export function sameRecord(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(normalizeRecord(a), normalizeRecord(b));
}
