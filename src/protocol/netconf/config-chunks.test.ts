import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { derivePublicKey, Identity } from '../identity.ts';
import { bytesToHex, hexToBytes } from '../test-vectors.ts';
import {
  CHUNK_OVERHEAD,
  ConfigChunkAssembler,
  DEFAULT_MAX_CHUNK_BYTES,
  NETWORKCONFIG_DICT_CAPACITY,
  parseConfigChunk,
  randomUpdateId,
  splitSignedChunks,
} from './config-chunks.ts';
import { decodeNcrOk } from './config-messages.ts';
import { controllerIdentity, netconfVectors, recordedPayload } from './recorded-run.ts';
import { WireWriter } from './wire-buffer.ts';

const NWID = '6951fba29ad56e51';
const publicController = () => controllerIdentity().withoutPrivate();
const assembler = () => new ConfigChunkAssembler({ networkId: NWID, controller: publicController() });

const RECORDED = [
  {
    label: 'OK(NETWORK_CONFIG_REQUEST)',
    chunk: () => decodeNcrOk(recordedPayload('OK(NETWORK_CONFIG_REQUEST)')).chunk,
    file: 0,
    updateId: 0x2284a16853f652b2n,
  },
  {
    label: 'NETWORK_CONFIG (push',
    chunk: () => recordedPayload('NETWORK_CONFIG (push'),
    file: 2,
    updateId: 0x86ca1a5ce8129d1an,
  },
];

test('the recorded OK(NCR) and NETWORK_CONFIG chunks verify and assemble to the recorded dictionaries', () => {
  for (const { label, chunk, file, updateId } of RECORDED) {
    const payload = chunk();
    const parsed = parseConfigChunk(payload);
    assert.equal(parsed.networkId, NWID);
    assert.equal(parsed.signed?.updateId, updateId, label);
    assert.equal(parsed.signed?.chunkIndex, 0);
    assert.equal(parsed.signed?.flags, 0);
    const result = assembler().accept(payload);
    assert.equal(result.status, 'complete', label);
    assert.equal(
      result.status === 'complete' && bytesToHex(result.dictionary),
      netconfVectors().files[file]!.hex,
      label,
    );
  }
});

test('splitting the recorded dictionary with its update id reproduces the recorded chunk exactly', () => {
  for (const { chunk, file, updateId } of RECORDED) {
    const dict = hexToBytes(netconfVectors().files[file]!.hex);
    const ours = splitSignedChunks(dict, {
      networkId: NWID,
      controller: controllerIdentity(),
      updateId,
      flags: 0,
      maxChunkBytes: 9000,
    });
    assert.equal(ours.length, 1);
    assert.equal(bytesToHex(ours[0]!), bytesToHex(chunk()));
  }
});

test('split → assemble round-trips from 100 bytes to 300 KB, in any order, with small chunks', () => {
  const controller = controllerIdentity();
  for (const size of [100, DEFAULT_MAX_CHUNK_BYTES, DEFAULT_MAX_CHUNK_BYTES + 1, 4000, 300_000]) {
    const dict = randomBytes(size);
    const updateId = randomUpdateId();
    const chunks = splitSignedChunks(dict, { networkId: NWID, controller, updateId, flags: 1 });
    assert.equal(chunks.length, Math.ceil(size / DEFAULT_MAX_CHUNK_BYTES), `size ${size}`);
    assert.ok(chunks.every((c) => c.length <= DEFAULT_MAX_CHUNK_BYTES + CHUNK_OVERHEAD));
    // 28-byte header + 9 in-re bytes: every OK packet fits ZeroTier's 1432-byte UDP payload.
    assert.ok(chunks.every((c) => 28 + 9 + c.length <= 1432));
    const order = chunks.map((_, i) => i).reverse();
    const a = assembler();
    const results = order.map((i) => a.accept(chunks[i]!));
    assert.ok(
      results.slice(0, -1).every((r) => r.status === 'partial'),
      `size ${size}: partial until the end`,
    );
    const last = results.at(-1)!;
    assert.equal(last.status, 'complete');
    assert.ok(last.status === 'complete' && Buffer.from(last.dictionary).equals(dict));
    assert.equal(last.status === 'complete' && last.flags, 1);
    assert.equal(a.accept(chunks[0]!).status, 'duplicate', 'a late copy is a duplicate, not a new config');
  }
});

test('bad signatures, other networks and unsigned chunks from others are rejected', () => {
  const controller = controllerIdentity();
  const dict = randomBytes(3000);
  const chunks = splitSignedChunks(dict, {
    networkId: NWID,
    controller,
    updateId: 5n,
    flags: 0,
    maxChunkBytes: 1000,
  });
  const flipped = chunks[1]!.slice();
  flipped[20] = flipped[20]! ^ 1;
  assert.deepEqual(assembler().accept(flipped), { status: 'rejected', reason: 'bad chunk signature' });
  const otherKey = randomBytes(64);
  const impostor = new Identity(controller.address, derivePublicKey(otherKey), otherKey);
  const forged = splitSignedChunks(dict, { networkId: NWID, controller: impostor, updateId: 5n, flags: 0 });
  assert.equal(assembler().accept(forged[0]!).status, 'rejected');
  const elsewhere = splitSignedChunks(dict, {
    networkId: '6951fba29a000001',
    controller,
    updateId: 5n,
    flags: 0,
  });
  assert.match(
    String((assembler().accept(elsewhere[0]!) as { reason: string }).reason),
    /not 6951fba29ad56e51/,
  );
  const unsigned = new WireWriter()
    .u64(BigInt(`0x${NWID}`))
    .u16(3)
    .bytes(Uint8Array.of(0x61, 0x3d, 0x62))
    .finish();
  assert.equal(assembler().accept(unsigned).status, 'rejected');
  const legacy = assembler().accept(unsigned, true);
  assert.equal(legacy.status === 'complete' && Buffer.from(legacy.dictionary).toString(), 'a=b');
  assert.equal(assembler().accept(chunks[0]!.subarray(0, 50)).status, 'rejected', 'truncated');
});

/** A validly signed chunk with arbitrary framing values, to test what the assembler checks itself. */
function craft(updateId: bigint, data: Uint8Array, totalLength: number, index: number): Uint8Array {
  const signed = new WireWriter()
    .u64(BigInt(`0x${NWID}`))
    .u16(data.length)
    .bytes(data)
    .u8(0)
    .u64(updateId)
    .u32(totalLength)
    .u32(index)
    .finish();
  return new WireWriter().bytes(signed).u8(1).u16(96).bytes(controllerIdentity().sign(signed)).finish();
}

test('overlaps, inconsistent totals and oversize updates are rejected', () => {
  const a = assembler();
  assert.equal(a.accept(craft(9n, new Uint8Array(10).fill(1), 30, 0)).status, 'partial');
  assert.match(
    (a.accept(craft(9n, new Uint8Array(10).fill(2), 30, 5)) as { reason: string }).reason,
    /overlaps/,
  );
  assert.match(
    (a.accept(craft(9n, new Uint8Array(10).fill(2), 31, 10)) as { reason: string }).reason,
    /total length/,
  );
  assert.match(
    (a.accept(craft(9n, new Uint8Array(10).fill(2), 30, 0)) as { reason: string }).reason,
    /different bytes/,
  );
  assert.equal(a.accept(craft(9n, new Uint8Array(10).fill(1), 30, 0)).status, 'duplicate');
  assert.match(
    (a.accept(craft(9n, new Uint8Array(10), 30, 25)) as { reason: string }).reason,
    /past the total/,
  );
  assert.match(
    (a.accept(craft(8n, new Uint8Array(10), NETWORKCONFIG_DICT_CAPACITY, 0)) as { reason: string }).reason,
    /out of range/,
  );
  assert.throws(
    () =>
      splitSignedChunks(new Uint8Array(NETWORKCONFIG_DICT_CAPACITY), {
        networkId: NWID,
        controller: controllerIdentity(),
        updateId: 1n,
        flags: 0,
      }),
    /less than 484520/,
  );
  assert.throws(
    () =>
      splitSignedChunks(new Uint8Array(10), {
        networkId: NWID,
        controller: controllerIdentity(),
        updateId: 0n,
        flags: 0,
      }),
    /non-zero/,
  );
});

test('at most three updates are assembled at once; the least recently touched one is dropped', () => {
  const a = assembler();
  const half = (id: bigint, i: number) => craft(id, new Uint8Array(5).fill(Number(id)), 10, i * 5);
  assert.equal(a.accept(half(1n, 0)).status, 'partial');
  for (const id of [2n, 3n, 4n]) assert.equal(a.accept(half(id, 0)).status, 'partial');
  assert.equal(a.inFlight().length, 3);
  // Update 1 was evicted, so its second half starts over instead of completing it.
  assert.equal(a.accept(half(1n, 1)).status, 'partial');
  assert.equal(a.accept(half(4n, 1)).status, 'complete');
});

test('a prefix goes in front of each chunk, unsigned: the chunks after it are the same bytes', () => {
  const controller = controllerIdentity();
  const dict = randomBytes(2500);
  const options = { networkId: NWID, controller, updateId: 7n, flags: 1, maxChunkBytes: 1000 };
  const plain = splitSignedChunks(dict, options);
  const prefix = Uint8Array.of(0x0b, 1, 2, 3, 4, 5, 6, 7, 8);
  const prefixed = splitSignedChunks(dict, { ...options, prefix });
  assert.equal(prefixed.length, 3);
  prefixed.forEach((chunk, i) => {
    assert.equal(chunk.length, prefix.length + plain[i]!.length, 'exactly sized');
    assert.equal(bytesToHex(chunk.subarray(0, prefix.length)), bytesToHex(prefix));
    assert.equal(bytesToHex(chunk.subarray(prefix.length)), bytesToHex(plain[i]!));
  });
  const accepting = assembler();
  const results = prefixed.map((chunk) => accepting.accept(chunk.subarray(prefix.length)));
  const last = results.at(-1)!;
  assert.equal(last.status, 'complete', JSON.stringify(results.map((r) => r.status)));
  if (last.status === 'complete') assert.equal(bytesToHex(last.dictionary), bytesToHex(dict));
});
