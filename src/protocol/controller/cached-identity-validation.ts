// Identity validation with a persistent memory: an identity whose memory-hard check passed once is
// stored, and the same identity string later (another HELLO, a restart) is accepted without hashing
// again. A different identity claiming a known address is still fully validated, so the cache
// cannot be used to skip the proof of work for a new key.
import type { Identity } from '../identity.ts';

export interface IdentityMemory {
  knownIdentity(address: string): Promise<string | undefined>;
  rememberIdentity(address: string, identity: string): Promise<void>;
}

export function cachedIdentityValidator(
  memory: IdentityMemory,
  validate: (identity: Identity) => Promise<boolean>,
): (identity: Identity) => Promise<boolean> {
  return async (identity) => {
    const publicForm = identity.toString(false);
    if ((await memory.knownIdentity(identity.address)) === publicForm) return true;
    const valid = await validate(identity);
    if (valid) await memory.rememberIdentity(identity.address, publicForm);
    return valid;
  };
}
