import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, hexToBytes } from '../test-vectors.ts';
import { parseOk } from './reply-codec.ts';
import {
  decodedPackets,
  packetVectors,
  recordedPayload,
  vectorIdentities,
  vectorIdentity,
} from './test-support.ts';
import { encodeOkWhois, encodeWhois, parseOkWhois, parseWhois } from './whois-codec.ts';

test('every recorded WHOIS asks for the controller and re-encodes identically', () => {
  const whois = decodedPackets.filter((p) => p.verb === 'WHOIS');
  assert.ok(whois.length >= 20, `${whois.length} WHOIS packets`);
  for (const w of whois) {
    const payload = hexToBytes(w.plainHex).subarray(28);
    assert.deepEqual(parseWhois(payload), [packetVectors.controller]);
    assert.equal(bytesToHex(encodeWhois(parseWhois(payload))), bytesToHex(payload));
  }
});

test('encodeOkWhois produces the recorded OK(WHOIS) payload; parseOkWhois reads the identity back', () => {
  const payload = recordedPayload('OK(WHOIS)');
  const controller = vectorIdentity(packetVectors.controller);
  const encoded = encodeOkWhois(0xc00b03a0feaa7c79n, [controller]);
  assert.equal(bytesToHex(encoded), bytesToHex(payload));
  const { inReVerb, inRePacketId, body } = parseOk(payload);
  assert.equal(inReVerb, 0x04);
  assert.equal(inRePacketId, 0xc00b03a0feaa7c79n);
  const [identity, ...rest] = parseOkWhois(body);
  assert.equal(rest.length, 0);
  assert.ok(identity!.equals(controller));
  assert.equal(identity!.privateKey, undefined, 'the secret never travels');
});

test('several identities round-trip; garbage after the last one is ignored', () => {
  const body = parseOk(encodeOkWhois(1n, vectorIdentities)).body;
  const withJunk = new Uint8Array([...body, 0x01, 0x02, 0x03]);
  const parsed = parseOkWhois(withJunk);
  assert.deepEqual(
    parsed.map((i) => i.address),
    vectorIdentities.map((i) => i.address),
  );
});

test('a trailing partial address in WHOIS is ignored', () => {
  assert.deepEqual(parseWhois(Uint8Array.of(1, 2, 3, 4, 5, 6, 7)), ['0102030405']);
  assert.deepEqual(parseWhois(new Uint8Array(0)), []);
});
