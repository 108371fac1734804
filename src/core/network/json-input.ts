// Strict readers for fields of a POSTed JSON body. Every failure is an RpError whose message names
// the field path and shows the offending value, so a client can fix its request without guessing.

import { invalidField } from '../errors.ts';

export type JsonObject = Record<string, unknown>;

/** A plain `{…}` object (not an array, null, Date, class instance …). */
export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True when the body carries the key (an explicit `undefined` counts as absent). */
export function has(body: JsonObject, key: string): boolean {
  return Object.hasOwn(body, key) && body[key] !== undefined;
}

/** A short rendering of a value for error messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function readBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw invalidField(field, `expected true or false, got ${show(value)}`);
  return value;
}

export function readString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalidField(field, `expected a string, got ${show(value)}`);
  return value;
}

/** A string whose UTF-8 encoding fits `maxBytes` (ZeroTier's fixed-size text fields). */
export function readBoundedString(value: unknown, field: string, maxBytes: number): string {
  const text = readString(value, field);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > maxBytes) {
    throw invalidField(field, `${show(text)} is ${bytes} bytes long; ZeroTier allows at most ${maxBytes}`);
  }
  return text;
}

export function readInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidField(field, `expected an integer, got ${show(value)}`);
  }
  if (value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `within [${min}, ${max}]`;
    throw invalidField(field, `${value} is out of range: must be ${range}`);
  }
  return value;
}

export function readArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw invalidField(field, `expected an array, got ${show(value)}`);
  return value;
}

export function readObject(value: unknown, field: string): JsonObject {
  if (!isPlainObject(value)) throw invalidField(field, `expected an object, got ${show(value)}`);
  return value;
}

/** A node address (10 hex) or null; `""` also means null, as stock treats any non-address. */
export function readTraceTarget(value: unknown, field: string): string | null {
  if (value === null || value === '') return null;
  if (typeof value === 'string' && /^[0-9a-fA-F]{10}$/.test(value)) return value.toLowerCase();
  throw invalidField(field, `expected a 10-hex-digit node address or null, got ${show(value)}`);
}
