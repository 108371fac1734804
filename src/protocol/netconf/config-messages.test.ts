import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex } from '../test-vectors.ts';
import {
  decodeConfigAck,
  decodeNcrError,
  decodeNcrOk,
  encodeConfigAck,
  encodeNcrError,
  encodeNcrOk,
  encodeNcrOkPrefix,
  encodeNetworkConfigPush,
  NcrErrorCode,
} from './config-messages.ts';
import { recordedPacket, recordedPayload } from './recorded-run.ts';

const NWID = '6951fba29ad56e51';

test('ERROR(NCR) access denied matches the recorded packet', () => {
  const recorded = recordedPayload('ERROR(NETWORK_CONFIG_REQUEST)');
  const info = recordedPacket('ERROR(NETWORK_CONFIG_REQUEST)').error!;
  const decoded = decodeNcrError(recorded);
  assert.deepEqual(decoded, {
    inRePacketId: BigInt(`0x${info.inRePacketId}`),
    code: 7,
    networkId: info.rest,
  });
  assert.equal(decoded.code, NcrErrorCode.ACCESS_DENIED);
  assert.equal(bytesToHex(encodeNcrError(decoded)), bytesToHex(recorded));
  const sso = encodeNcrError({
    ...decoded,
    code: NcrErrorCode.AUTHENTICATION_REQUIRED,
    errorData: new TextEncoder().encode('aurl=x'),
  });
  assert.equal(bytesToHex(sso.subarray(18)), '0006' + bytesToHex(new TextEncoder().encode('aurl=x')));
  assert.deepEqual(decodeNcrError(sso).errorData, new TextEncoder().encode('aurl=x'));
});

test('OK(NCR) is the in-re prefix followed by the chunk; a push is the chunk alone', () => {
  const recorded = recordedPayload('OK(NETWORK_CONFIG_REQUEST)');
  const inRe = BigInt(`0x${recordedPacket('OK(NETWORK_CONFIG_REQUEST)').inRePacketId!}`);
  assert.equal(bytesToHex(encodeNcrOkPrefix(inRe)), `0b${inRe.toString(16).padStart(16, '0')}`);
  const { inRePacketId, chunk } = decodeNcrOk(recorded);
  assert.equal(inRePacketId, inRe);
  assert.equal(bytesToHex(encodeNcrOk(inRe, chunk)), bytesToHex(recorded));
  const push = recordedPayload('NETWORK_CONFIG (push');
  assert.equal(bytesToHex(encodeNetworkConfigPush(push)), bytesToHex(push));
  assert.equal(bytesToHex(push.subarray(0, 8)), NWID);
  assert.throws(() => decodeNcrOk(Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 0, 0)), /not NETWORK_CONFIG_REQUEST/);
});

test('the member’s ack of a push is OK with in-re verb ECHO and the update id', () => {
  const recorded = recordedPayload('OK(ECHO)');
  const ack = decodeConfigAck(recorded);
  assert.deepEqual(ack, {
    inRePacketId: BigInt(`0x${recordedPacket('OK(ECHO)').inRePacketId!}`),
    networkId: NWID,
    updateId: 0x35289a5666b3891an,
  });
  assert.equal(bytesToHex(encodeConfigAck(ack!)), bytesToHex(recorded));
  assert.equal(decodeConfigAck(recorded.subarray(0, 20)), null);
  assert.equal(decodeConfigAck(Uint8Array.of(0x0b, ...recorded.subarray(1))), null);
});
