import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Identity } from '../identity.ts';
import { readSharedJson } from '../test-vectors.ts';
import {
  CredentialType,
  decodeRevocationCredentials,
  encodeRevocationCredentials,
  issueRevocation,
  verifyRevocation,
} from './revocation.ts';

const ids = readSharedJson<{ identities: Array<{ secretString: string }> }>(
  'zerotier',
  'identity-vectors.json',
);
const controller = Identity.parse(ids.identities[1]!.secretString);
const stranger = Identity.parse(ids.identities[0]!.secretString);
const nwid = `${controller.address}d56e51`;

describe('revocation', () => {
  const rev = issueRevocation({
    id: 0xdeadbeef,
    networkId: nwid,
    target: 'd0246ddebd',
    threshold: 1_795_271_569_943,
    controller,
  });

  it('has the stock layout: 152 bytes inside NETWORK_CREDENTIALS with empty COM/caps/tags/COOs', () => {
    const payload = encodeRevocationCredentials([rev]);
    // 1 + 2 + 2 + 2 header, 4+4+8+4+4+8+8+5+5+1 body, 1+2+96 signature, 2 extensions, 2 COO count
    assert.equal(payload.length, 7 + 51 + 99 + 2 + 2);
    assert.deepEqual([...payload.subarray(0, 7)], [0, 0, 0, 0, 0, 0, 1]);
  });

  it('round-trips, verifies against the controller, and names its target and COM type', () => {
    const [decoded] = decodeRevocationCredentials(encodeRevocationCredentials([rev]));
    assert.ok(decoded);
    assert.equal(decoded.target, 'd0246ddebd');
    assert.equal(decoded.networkId, nwid);
    assert.equal(decoded.credentialType, CredentialType.COM);
    assert.equal(decoded.threshold, 1_795_271_569_943n);
    assert.equal(decoded.flags & 1n, 1n, 'fast propagate, as stock sends it');
    assert.ok(verifyRevocation(decoded, controller));
  });

  it('does not verify when tampered with or checked against another identity', () => {
    const [decoded] = decodeRevocationCredentials(encodeRevocationCredentials([rev]));
    assert.ok(decoded);
    assert.equal(verifyRevocation({ ...decoded, target: 'aaaaaaaaaa' }, controller), false);
    assert.equal(verifyRevocation({ ...decoded, threshold: decoded.threshold + 1n }, controller), false);
    assert.equal(verifyRevocation(decoded, stranger), false);
  });
});
