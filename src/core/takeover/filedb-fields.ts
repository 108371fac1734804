// Readers shared by the FileDB network and member files: the whole-file shape, the fields a client
// cannot write (objtype, counters), and which keys a file carried that were not imported.

import { ErrorCodes, RpError, invalidField } from '../errors.ts';
import { has, isPlainObject, readInteger, show, type JsonObject } from '../network/json-input.ts';

export interface ParsedRecord<T> {
  record: T;
  /** Keys of the file that were not imported (unknown to the 1.14 format, or Routeplane extras), sorted. */
  ignoredKeys: string[];
}

/** A FileDB record is one JSON object; anything else is not one. */
export function readRecordObject(value: unknown): JsonObject {
  if (!isPlainObject(value)) {
    throw new RpError(ErrorCodes.INVALID_INPUT, `expected a JSON object, got ${show(value)}`);
  }
  return value;
}

/** Stock always writes objtype; a wrong one means the file is some other record. */
export function checkObjtype(file: JsonObject, expected: 'network' | 'member'): void {
  if (has(file, 'objtype') && file.objtype !== expected) {
    throw invalidField('objtype', `expected "${expected}", got ${show(file.objtype)}`);
  }
}

/** A ms timestamp or revision; absent means `fallback` (stock fills in the same defaults on load). */
export function readCounter(file: JsonObject, key: string, fallback: number): number {
  return has(file, key) ? readInteger(file[key], key, 0, Number.MAX_SAFE_INTEGER) : fallback;
}

/** The given keys of `file` (those present), as a body for the API's update parsers. */
export function pick(file: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) if (has(file, key)) out[key] = file[key];
  return out;
}

export function unknownKeys(file: JsonObject, known: ReadonlySet<string>): string[] {
  return Object.keys(file)
    .filter((key) => !known.has(key))
    .sort();
}
