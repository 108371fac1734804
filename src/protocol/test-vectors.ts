// Locates the recorded ZeroTier vectors: `shared/` is a sibling of the repository root, both here and in CI.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sharedRoot = new URL('../../../shared/', import.meta.url);

/** Absolute path under the shared folder: `sharedPath('zerotier', 'idtool/msg.txt')` or one part per segment. */
export function sharedPath(...parts: string[]): string {
  const segments = parts.flatMap((part) => part.split('/')).filter((segment) => segment !== '');
  return fileURLToPath(new URL(segments.map(encodeURIComponent).join('/'), sharedRoot));
}

/** Parsed JSON from the shared folder; the caller names the shape it expects. */
export function readSharedJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(sharedPath(...parts), 'utf8')) as T;
}

/** Hex string to bytes (test data is trusted, so no validation beyond even length). */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new Error(`odd-length hex string (${hex.length} chars)`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
