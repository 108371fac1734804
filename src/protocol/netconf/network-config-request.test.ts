import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dictionary } from '../dictionary.ts';
import { bytesToHex } from '../test-vectors.ts';
import {
  authToken,
  clientRequestMetadata,
  decodeNetworkConfigRequest,
  encodeNetworkConfigRequest,
  requestMetadata,
  supportsRulesEngine,
} from './network-config-request.ts';
import { recordedPacket, recordedPayload } from './recorded-run.ts';

const LABEL = 'NETWORK_CONFIG_REQUEST (first';

test('the recorded request decodes to its network, metadata and have-revision/timestamp', () => {
  const req = decodeNetworkConfigRequest(recordedPayload(LABEL));
  const expected = recordedPacket(LABEL).ncr!;
  assert.equal(req.networkId, expected.nwid);
  assert.equal(new TextDecoder().decode(req.metadata.encode()), expected.metaDataText);
  assert.equal(req.haveRevision, BigInt(`0x${expected.haveRevision}`));
  assert.equal(req.haveTimestamp, BigInt(`0x${expected.haveTimestamp}`));
  const meta = requestMetadata(req.metadata);
  assert.deepEqual(meta, {
    version: 7,
    vendor: 1,
    protocolVersion: 12,
    majorVersion: 1,
    minorVersion: 14,
    revision: 1,
    maxNetworkRules: 1024,
    maxNetworkCapabilities: 128,
    maxCapabilityRules: 64,
    maxNetworkTags: 128,
    flags: 0,
    rulesEngineRevision: 1,
    osArch: 'linux/x86_64',
  });
  assert.equal(supportsRulesEngine(meta), true);
  assert.equal(authToken(meta), undefined);
});

test('the TS member encodes the same request byte for byte', () => {
  const payload = encodeNetworkConfigRequest({
    networkId: '6951fba29ad56e51',
    metadata: clientRequestMetadata(),
  });
  assert.equal(bytesToHex(payload), bytesToHex(recordedPayload(LABEL)));
});

test('old clients without have-fields, auth tokens, missing revr and junk numbers', () => {
  const meta = new Dictionary().setUint64('v', 6).set('a', 'token:s3cret').set('mr', 'zz');
  const full = encodeNetworkConfigRequest({
    networkId: '0123456789abcdef',
    metadata: meta,
    haveRevision: 3,
    haveTimestamp: 9n,
  });
  const old = full.subarray(0, full.length - 16);
  const decoded = decodeNetworkConfigRequest(old);
  assert.equal(decoded.networkId, '0123456789abcdef');
  assert.equal(decoded.haveRevision, null);
  assert.equal(decoded.haveTimestamp, null);
  assert.equal(decodeNetworkConfigRequest(full).haveRevision, 3n);
  const m = requestMetadata(decoded.metadata);
  assert.equal(m.version, 6);
  assert.equal(m.maxNetworkRules, undefined, 'malformed number reads as absent');
  assert.equal(authToken(m), 's3cret');
  assert.equal(authToken({ auth: 'token:' }), undefined);
  assert.equal(supportsRulesEngine(m), false);
  assert.equal(decodeNetworkConfigRequest(full.subarray(0, 8)).metadata.size, 0, 'bare network id');
  assert.throws(() => decodeNetworkConfigRequest(full.subarray(0, 20)), /truncated/);
  assert.equal(requestMetadata(clientRequestMetadata({ authToken: 'abc' })).auth, 'token:abc');
});
