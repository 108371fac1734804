import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrContains, parseCidr, parseIp } from './cidr.ts';

describe('cidr', () => {
  it('parses IPv4 and IPv6 addresses and prefixes', () => {
    assert.deepEqual(parseIp('10.1.2.3'), { family: 4, value: 0x0a010203n });
    assert.deepEqual(parseIp('::1'), { family: 6, value: 1n });
    assert.deepEqual(parseIp('fd00::'), { family: 6, value: 0xfd00n << 112n });
    assert.deepEqual(parseIp('::ffff:10.0.0.1'), { family: 6, value: (0xffffn << 32n) | 0x0a000001n });
    assert.equal(parseIp('1:2:3:4:5:6:7:8')?.value, 0x00010002000300040005000600070008n);
    for (const bad of ['10.0.0', '10.0.0.256', '1::2::3', '1:2:3:4:5:6:7', 'fd00::g', '1:2:3:4:5:6:7:8::'])
      assert.equal(parseIp(bad), undefined, bad);
    assert.deepEqual(parseCidr('10.0.0.0/8'), { family: 4, value: 0x0a000000n, length: 8 });
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    assert.equal(parseCidr('10.0.0.0'), undefined);
  });

  it('tests containment of prefixes and addresses', () => {
    assert.ok(cidrContains('192.168.50.0/24', '192.168.50.0/25'));
    assert.ok(cidrContains('192.168.50.0/24', '192.168.50.128/25'));
    assert.ok(cidrContains('192.168.50.0/24', '192.168.50.0/24'));
    assert.ok(!cidrContains('192.168.50.0/25', '192.168.50.0/24'));
    assert.ok(!cidrContains('192.168.50.0/24', '192.168.51.0/24'));
    assert.ok(cidrContains('10.0.0.0/8', '10.1.2.3'));
    assert.ok(cidrContains('0.0.0.0/0', '8.8.8.8'));
    assert.ok(cidrContains('fd00::/8', 'fd12:3456::/48'));
    assert.ok(!cidrContains('fd00::/8', '10.0.0.0/8'), 'families never mix');
  });
});
