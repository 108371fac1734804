import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Identity } from '../identity.ts';
import { readSharedJson } from '../test-vectors.ts';
import { cachedIdentityValidator } from './cached-identity-validation.ts';

const vectors = readSharedJson<{ identities: Array<{ publicString: string }> }>(
  'zerotier',
  'identity-vectors.json',
);
const identity = Identity.parse(vectors.identities[0]!.publicString);

function memory() {
  const stored = new Map<string, string>();
  return {
    stored,
    knownIdentity: async (address: string) => stored.get(address),
    rememberIdentity: async (address: string, value: string) => void stored.set(address, value),
  };
}

describe('cachedIdentityValidator', () => {
  it('hashes an identity once, then trusts the stored identical string', async () => {
    const mem = memory();
    let hashes = 0;
    const validate = cachedIdentityValidator(mem, async (id) => {
      hashes++;
      return id.locallyValidate();
    });
    assert.equal(await validate(identity), true);
    assert.equal(await validate(identity), true);
    assert.equal(hashes, 1);
    assert.equal(mem.stored.get(identity.address), identity.toString(false));
  });

  it('never caches a failure and fully validates a different key for a known address', async () => {
    const mem = memory();
    mem.stored.set(identity.address, `${identity.address}:0:${'00'.repeat(64)}`);
    let hashes = 0;
    const validate = cachedIdentityValidator(mem, async () => {
      hashes++;
      return false;
    });
    assert.equal(await validate(identity), false);
    assert.equal(await validate(identity), false);
    assert.equal(hashes, 2);
  });
});
