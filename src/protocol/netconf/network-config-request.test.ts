import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Dictionary } from '../dictionary.ts';
import { bytesToHex } from '../test-vectors.ts';
import {
  authToken,
  clientRequestMetadata,
  decodeNetworkConfigRequest,
  encodeNetworkConfigRequest,
  RequestMetadataCache,
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

test('with a metadata cache, a request decodes to what it decodes to without one', () => {
  const key = fc.constantFrom('v', 'vend', 'pv', 'majv', 'minv', 'revv', 'mr', 'f', 'revr', 'o', 'a', 'x');
  const value = fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((n) => n.toString(16)),
    fc.string({ maxLength: 20 }),
  );
  const cache = new RequestMetadataCache(8);
  fc.assert(
    fc.property(fc.dictionary(key, value), fc.boolean(), (entries, twice) => {
      const metadata = new Dictionary();
      for (const [k, v] of Object.entries(entries)) metadata.set(k, v);
      const payload = encodeNetworkConfigRequest({ networkId: '0123456789abcdef', metadata });
      const plain = decodeNetworkConfigRequest(payload);
      const cached = decodeNetworkConfigRequest(payload, cache);
      const again = twice ? decodeNetworkConfigRequest(payload, cache) : cached;
      for (const decoded of [cached, again]) {
        assert.deepEqual(decoded.fields, plain.fields);
        assert.deepEqual(decoded.fields, requestMetadata(plain.metadata));
        assert.equal(bytesToHex(decoded.metadata.encode()), bytesToHex(plain.metadata.encode()));
      }
      assert.ok(cache.size <= 8, 'bounded');
    }),
    { numRuns: 300 },
  );
});

test('the metadata cache parses a dictionary once and keeps different ones apart', () => {
  const cache = new RequestMetadataCache(2);
  const request = (osArch: string) =>
    encodeNetworkConfigRequest({
      networkId: '0123456789abcdef',
      metadata: clientRequestMetadata({ osArch }),
    });
  const first = decodeNetworkConfigRequest(request('linux/x86_64'), cache);
  const second = decodeNetworkConfigRequest(request('linux/x86_64'), cache);
  assert.equal(second.fields, first.fields, 'the same bytes share one parse');
  const other = decodeNetworkConfigRequest(request('windows/x64'), cache);
  assert.equal(other.fields.osArch, 'windows/x64');
  assert.equal(first.fields.osArch, 'linux/x86_64');
  assert.equal(cache.size, 2);
  decodeNetworkConfigRequest(request('mac/arm64'), cache);
  assert.equal(cache.size, 1, 'full: it starts again empty');
});
