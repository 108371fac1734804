import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lz4DecompressBlock } from '../lz4.ts';
import { ConfigChunkAssembler } from '../netconf/config-chunks.ts';
import { Dictionary } from '../dictionary.ts';
import { CredentialCache } from '../netconf/credential-cache.ts';
import { planNetworkConfig } from '../netconf/network-config.ts';
import { buildConfigPackets, type BuildRequest, type ConfigPacket } from './config-builder.ts';
import { ConfigTemplates } from './config-templates.ts';
import { controller, memberIdentity, sampleRequest } from './config-test-fixtures.ts';

/** What a member does: decompress, strip the OK prefix, assemble and verify the chunks. */
function assemble(packets: ConfigPacket[], networkId: string, okPrefix: boolean): Uint8Array {
  const assembler = new ConfigChunkAssembler({ networkId, controller: controller.withoutPrivate() });
  let dictionary: Uint8Array | undefined;
  for (const packet of packets) {
    const payload = packet.compressed ? lz4DecompressBlock(packet.payload, 10_000) : packet.payload;
    const result = assembler.accept(okPrefix ? payload.subarray(9) : payload);
    assert.notEqual(result.status, 'rejected', result.status === 'rejected' ? result.reason : '');
    if (result.status === 'complete') dictionary = result.dictionary;
  }
  assert.ok(dictionary, 'the chunks made a whole config');
  return dictionary;
}

test('a typical config is one compressed packet that fits a datagram and assembles to the dictionary', () => {
  const request = sampleRequest();
  const built = buildConfigPackets(controller, request, { kind: 'reply', inRePacketId: 0xabcdefn });
  assert.equal(built.packets.length, 1);
  assert.equal(built.packets[0]!.compressed, true);
  assert.ok(built.packets[0]!.payload.length <= 1432 - 28 - 9);
  const plain = lz4DecompressBlock(built.packets[0]!.payload, 10_000);
  assert.equal(plain[0], 0x0b, 'in-re NETWORK_CONFIG_REQUEST');
  assert.equal(new DataView(plain.buffer, plain.byteOffset).getBigUint64(1), 0xabcdefn);
  const expected = planNetworkConfig({
    ...request,
    memberIdentity,
    controller,
  }).dictionary.encode();
  assert.deepEqual(assemble(built.packets, request.network.id, true), expected);
  assert.equal(built.bytes, expected.length);
  assert.equal(built.updateId, 0x1234n);
});

test('a large config is split into as few chunks as fit, each packet within the MTU, push or reply', () => {
  const request = sampleRequest(128);
  for (const frame of [{ kind: 'push' as const }, { kind: 'reply' as const, inRePacketId: 9n }]) {
    const built = buildConfigPackets(controller, request, frame);
    const prefix = frame.kind === 'reply' ? 9 : 0;
    assert.ok(built.packets.length > 1, `${built.bytes} bytes in ${built.packets.length} packets`);
    for (const packet of built.packets) assert.ok(packet.payload.length <= 1432 - 28 - prefix);
    // Fewer packets than uncompressed chunks of the largest size that fits would need.
    assert.ok(built.packets.length <= Math.ceil(built.bytes / (1432 - 28 - prefix - 126)));
    const dictionary = assemble(built.packets, request.network.id, frame.kind === 'reply');
    assert.equal(dictionary.length, built.bytes);
  }
  // A small MTU forces more chunks; every one still fits.
  const small = buildConfigPackets(controller, request, { kind: 'push' }, { mtu: 600 });
  for (const packet of small.packets) assert.ok(packet.payload.length <= 600 - 28);
  assemble(small.packets, request.network.id, false);
});

test('compression off: uncompressed chunks that fit the datagram', () => {
  const request = sampleRequest(40);
  const built = buildConfigPackets(controller, request, { kind: 'push' }, { compress: false });
  assert.ok(built.packets.every((p) => !p.compressed && p.payload.length <= 1432 - 28));
  assemble(built.packets, request.network.id, false);
});

test('deterministic for a fixed update id and time', () => {
  const a = buildConfigPackets(controller, sampleRequest(3), { kind: 'push' });
  const b = buildConfigPackets(controller, sampleRequest(3), { kind: 'push' });
  assert.deepEqual(a, b);
});

test('a member asking again gets its remembered config with a new timestamp, and a changed config when anything in it changed', () => {
  const state = { credentials: new CredentialCache(), templates: new ConfigTemplates() };
  const request = sampleRequest(3);
  const dictAt = (r: BuildRequest) =>
    Dictionary.parse(
      assemble(buildConfigPackets(controller, r, { kind: 'push' }, {}, state).packets, r.network.id, false),
    );
  const first = dictAt(request);
  const later = { ...request, now: request.now + 60_000, member: { ...request.member, lastSeen: 5 } };
  const again = dictAt(later);
  assert.equal(state.templates.hits, 1);
  assert.equal(again.getUint64('ts'), BigInt(later.now));
  for (const key of first.keys().filter((k) => k !== 'ts'))
    assert.deepEqual(again.get(key), first.get(key), key);
  // What a fresh builder with the same credentials makes is exactly that.
  const fresh = { credentials: state.credentials, templates: new ConfigTemplates() };
  assert.deepEqual(
    assemble(
      buildConfigPackets(controller, later, { kind: 'push' }, {}, fresh).packets,
      later.network.id,
      false,
    ),
    assemble(
      buildConfigPackets(controller, later, { kind: 'push' }, {}, state).packets,
      later.network.id,
      false,
    ),
  );

  // Any change to the content: rebuilt, not reused.
  const renamed = { ...later, now: later.now + 1, network: { ...later.network, name: 'renamed' } };
  assert.equal(Buffer.from(dictAt(renamed).get('n')!).toString(), 'renamed');
  const moreRoutes = { ...later, now: later.now + 2, routes: sampleRequest(4).routes };
  assert.equal(
    dictAt(moreRoutes).get('RT')!.length,
    first.get('RT')!.length + 18,
    'one more route via a gateway',
  );
  assert.equal(state.templates.hits, 2, 'only the unchanged request above was a hit');

  // Past the credentials' reuse limit (a quarter of the 30 min window): new credentials, new template.
  const muchLater = { ...later, now: request.now + 8 * 60_000 };
  const renewed = dictAt(muchLater);
  assert.notDeepEqual(renewed.get('C'), first.get('C'));
  assert.equal(state.templates.hits, 2);
});
