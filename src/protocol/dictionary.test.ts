import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalizeIp } from 'ip-bigint';
import { Dictionary, hex64 } from './dictionary.ts';
import { decodeInetAddress } from './inet-address.ts';
import { bytesToHex, hexToBytes, readSharedJson, sharedPath } from './test-vectors.ts';

interface NetconfVectors {
  files: { file: string; hex: string; text: string }[];
  parsedLastSeenOnWire: {
    keys: string[];
    n: string;
    routes: { target: string; via: string | null; flags: number; metric: number }[];
    staticIps: string[];
    rulesHex: string;
    dns: { domain: string; servers: string[] };
    [key: string]: unknown;
  };
}
const netconf = readSharedJson<NetconfVectors>('zerotier', 'netconf-vectors.json');

test('every recorded network config round-trips byte for byte', () => {
  assert.equal(netconf.files.length, 3);
  for (const file of netconf.files) {
    const bytes = hexToBytes(file.hex);
    const dict = Dictionary.parse(bytes);
    assert.equal(bytesToHex(dict.encode()), file.hex, file.file);
    assert.equal(Buffer.from(bytes).toString('latin1'), file.text);
    // The NUL-terminated form parses the same and re-encodes with the terminator.
    assert.equal(bytesToHex(Dictionary.parse(dict.encode(true)).encode(true)), file.hex + '00');
  }
});

test('the raw .dict files and the member’s saved .conf round-trip too', () => {
  for (const file of netconf.files) {
    const bytes = readFileSync(sharedPath('zerotier', file.file));
    assert.equal(bytesToHex(Dictionary.parse(bytes).encode()), file.hex);
  }
  for (const dir of ['member-networks.d', 'member-networks.d-final']) {
    const conf = readFileSync(sharedPath('zerotier', 'run-noaes-proto11', dir, '6951fba29ad56e51.conf'));
    const dict = Dictionary.parse(conf);
    assert.equal(Buffer.from(dict.encode()).equals(conf), true, dir);
    assert.equal(dict.getString('nwid'), '6951fba29ad56e51');
  }
});

test('typed getters read the last recorded config as ZeroTier parsed it', () => {
  const last = netconf.parsedLastSeenOnWire;
  const dict = Dictionary.parse(hexToBytes(netconf.files[2]!.hex));
  assert.deepEqual(dict.keys(), last.keys);
  for (const key of ['v', 'nwid', 'ts', 'ctmd', 'r', 'tl', 'f', 'ml', 't', 'mtu', 'ssov']) {
    assert.equal(dict.getUint64(key), BigInt(`0x${last[key] as string}`), key);
  }
  assert.equal(dict.getNumber('mtu'), 2800);
  assert.equal(dict.getString('n'), last.n);
  assert.equal(dict.getString('id'), 'd0246ddebd');
  assert.equal(dict.getBoolean('ssoe', true), false);
  assert.equal(bytesToHex(dict.get('R')!), last.rulesHex);

  // RT: <target (port = bits)><via or nil><2 flags><2 metric>, repeated.
  const rt = dict.get('RT')!;
  const routes = [];
  for (let at = 0; at < rt.length;) {
    const target = decodeInetAddress(rt, at);
    const via = decodeInetAddress(rt, at + target.length);
    at += target.length + via.length;
    routes.push({
      target: `${target.address!.ip}/${target.address!.port}`,
      via: via.address?.ip ?? null,
      flags: (rt[at]! << 8) | rt[at + 1]!,
      metric: (rt[at + 2]! << 8) | rt[at + 3]!,
    });
    at += 4;
  }
  // The recording wrote IPv6 uncompressed; we print it compressed (as inet_ntop does).
  const normalise = (cidr: string) => {
    const [ip, bits] = cidr.split('/') as [string, string];
    return `${normalizeIp(ip)}/${bits}`;
  };
  assert.deepEqual(
    routes,
    last.routes.map((r) => ({ ...r, target: normalise(r.target) })),
  );
  assert.equal(routes[4]!.target, 'fd00:1234::/64');

  const ips = dict.get('I')!;
  const staticIps = [];
  for (let at = 0; at < ips.length;) {
    const { address, length } = decodeInetAddress(ips, at);
    staticIps.push(`${address!.ip}/${address!.port}`);
    at += length;
  }
  assert.deepEqual(staticIps, last.staticIps);

  // DNS: 128-byte NUL-padded domain, then 4 addresses (nil when unused).
  const dns = dict.get('DNS')!;
  assert.equal(Buffer.from(dns.subarray(0, 128)).toString('latin1').replace(/\0+$/, ''), last.dns.domain);
  assert.equal(decodeInetAddress(dns, 128).address?.ip, last.dns.servers[0]);

  // COM: version 1, 7 qualifiers.
  const com = dict.get('C')!;
  assert.equal(com[0], 1);
  assert.equal((com[1]! << 8) | com[2]!, 7);
  assert.equal(com.length, 3 + 7 * 24 + 5 + 96);
});

test('the metadata of a recorded NETWORK_CONFIG_REQUEST parses and round-trips', () => {
  const { packets } = readSharedJson<{
    packets: { label: string; plainHex: string; ncr?: { metaDataText: string } }[];
  }>('zerotier', 'packet-vectors.json');
  const ncr = packets.find((p) => p.ncr)!;
  const plain = hexToBytes(ncr.plainHex);
  const length = (plain[36]! << 8) | plain[37]!;
  const raw = plain.subarray(38, 38 + length);
  const dict = Dictionary.parse(raw);
  assert.equal(dict.getNumber('v'), 7);
  assert.equal(dict.getNumber('pv'), 12);
  assert.equal(dict.getString('o'), 'linux/x86_64');
  assert.equal(dict.getBoolean('revr'), false); // "0000000000000001" starts with '0'
  assert.equal(dict.getNumber('revr'), 1);
  // The length field excludes the terminator; 16 bytes (have revision, have timestamp) follow.
  assert.equal(plain.length, 38 + length + 16);
  assert.equal(bytesToHex(dict.encode()), bytesToHex(raw));
  assert.equal(new TextDecoder().decode(dict.encode()), ncr.ncr!.metaDataText);
});

test('escapes exactly NUL, CR, LF, backslash and "=" and parses them back', () => {
  const dict = new Dictionary().set('b', Uint8Array.of(0, 13, 10, 0x5c, 0x3d, 0x41, 0xff)).set('n', 'a=b');
  assert.equal(new TextDecoder('latin1').decode(dict.encode()), 'b=\\0\\r\\n\\\\\\eA\xff\nn=a\\eb');
  const back = Dictionary.parse(dict.encode());
  assert.deepEqual(back.get('b'), Uint8Array.of(0, 13, 10, 0x5c, 0x3d, 0x41, 0xff));
  assert.equal(back.getString('n'), 'a=b');
});

test('parses like ZeroTier: CR or LF lines, first duplicate wins, odd lines skipped, unknown escapes', () => {
  const text = 'a=1\r\nnoequals\n=novalue\nb=x\\qy\\\nA=2\na=3\nc=\x00d=ignored after NUL';
  const dict = Dictionary.parse(new TextEncoder().encode(text));
  assert.deepEqual(dict.keys(), ['a', 'b', 'A', 'a', 'c']);
  assert.equal(dict.getString('a'), '1');
  assert.equal(dict.getString('A'), '2'); // keys are case-sensitive
  assert.equal(dict.getString('b'), 'xqy'); // unknown escape → the character; lone trailing '\' dropped
  assert.equal(dict.getString('c'), '');
  assert.equal(dict.has('d'), false);
  assert.equal(dict.getBoolean('c', true), false); // present but empty → false, as in ZeroTier
  assert.equal(dict.getBoolean('missing', true), true);
  assert.equal(Dictionary.parse(new Uint8Array(0)).size, 0);
});

test('setters: 16-digit hex integers, booleans, replacement in place, deletion, key validation', () => {
  const dict = new Dictionary()
    .setUint64('v', 7)
    .setUint64('nwid', 0x6951fba29ad56e51n)
    .setBoolean('ssoe', false);
  dict.set('v', hex64(8n));
  assert.equal(new TextDecoder().decode(dict.encode()), 'v=0000000000000008\nnwid=6951fba29ad56e51\nssoe=0');
  assert.equal(dict.getUint64('nwid'), 0x6951fba29ad56e51n);
  assert.equal(dict.delete('v'), true);
  assert.equal(dict.delete('v'), false);
  assert.deepEqual(dict.keys(), ['nwid', 'ssoe']);
  assert.equal(new Dictionary().encode().length, 0);
  for (const bad of ['', 'a=b', 'a b', 'a\nb', 'a\\b'])
    assert.throws(() => new Dictionary().set(bad, 'x'), /invalid dictionary key/);
  assert.throws(() => hex64(-1), RangeError);
  assert.throws(() => hex64(2n ** 64n), RangeError);
  assert.throws(() => hex64(1.5), RangeError);
  assert.throws(() => new Dictionary().set('x', 'zz').getUint64('x'), /not a hex integer/);
  assert.throws(() => new Dictionary().set('x', 'ffffffffffffffff').getNumber('x'), /too large/);
});

test('any keys and byte values survive encode → parse', () => {
  const key = fc.stringMatching(/^[a-zA-Z0-9_.-]{1,12}$/);
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(key, fc.uint8Array({ maxLength: 200 })), {
        selector: ([k]) => k,
        maxLength: 20,
      }),
      (entries) => {
        const dict = new Dictionary();
        for (const [k, v] of entries) dict.set(k, v);
        const encoded = dict.encode();
        assert.equal(encoded.includes(0), false); // values never leak a raw terminator
        const back = Dictionary.parse(encoded);
        assert.deepEqual(
          back.keys(),
          entries.map(([k]) => k),
        );
        for (const [k, v] of entries) assert.deepEqual(back.get(k), v);
        assert.equal(bytesToHex(back.encode()), bytesToHex(encoded));
      },
    ),
    { numRuns: 300 },
  );
});
