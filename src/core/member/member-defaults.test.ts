import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRpError } from '../errors.ts';
import { newMember } from './member-defaults.ts';

test('newMember carries the stock initMember defaults', () => {
  assert.deepEqual(newMember('F8EA0E79249A7B42', '43E690E007', 1795270936668), {
    networkId: 'f8ea0e79249a7b42',
    address: '43e690e007',
    authorized: false,
    activeBridge: false,
    noAutoAssignIps: false,
    ssoExempt: false,
    ipAssignments: [],
    tags: [],
    capabilities: [],
    creationTime: 1795270936668,
    revision: 0,
    lastAuthorizedTime: 0,
    lastDeauthorizedTime: 0,
    lastAuthorizedCredentialType: null,
    lastAuthorizedCredential: null,
    authenticationExpiryTime: 0,
    vMajor: -1,
    vMinor: -1,
    vRev: -1,
    vProto: -1,
    remoteTraceTarget: null,
    remoteTraceLevel: 0,
  });
});

test('newMember has no name and no identity', () => {
  const m = newMember('f8ea0e79249a7b42', '43e690e007', 1);
  assert.equal('name' in m, false);
  assert.equal('identity' in m, false);
});

test('newMember rejects bad IDs, naming the field', () => {
  assert.throws(
    () => newMember('f8ea0e79249a7b4', '43e690e007', 1),
    (e) => isRpError(e) && e.field === 'nwid',
  );
  assert.throws(
    () => newMember('f8ea0e79249a7b42', 'ff12345678', 1),
    (e) => isRpError(e) && e.field === 'address' && e.message.includes('"ff12345678"'),
  );
});
