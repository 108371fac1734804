// When the interop tests can run: a zerotier-one binary in ZEROTIER_ONE, Linux, and root (they create
// network namespaces). Shared by every *.test.ts in this folder.
import { existsSync } from 'node:fs';

export const BINARY = process.env.ZEROTIER_ONE;

/** A reason to skip the interop suite, or false when it can run. */
export function skipReason(): string | false {
  if (!BINARY)
    return 'ZEROTIER_ONE is not set: point it at a zerotier-one 1.x binary to run the interop test (needs root for ip netns)';
  if (!existsSync(BINARY)) return `ZEROTIER_ONE=${BINARY} does not exist`;
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    return 'the interop test needs Linux and root (it creates network namespaces)';
  return false;
}
