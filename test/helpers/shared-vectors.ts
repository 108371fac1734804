// Paths into ../shared/zerotier (the recorded zerotier-one 1.14.1 vectors beside the repo).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SHARED = fileURLToPath(new URL('../../../shared/zerotier/', import.meta.url));

export function sharedFile(...parts: string[]): string {
  return SHARED + parts.join('/');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- recorded JSON of any shape
export function sharedJson<T = any>(...parts: string[]): T {
  return JSON.parse(readFileSync(sharedFile(...parts), 'utf8')) as T;
}
