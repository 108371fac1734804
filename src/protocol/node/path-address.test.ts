import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePathKey, pathKey } from './path-address.ts';

describe('parsePathKey', () => {
  it('reads back what pathKey writes, IPv4 and IPv6 (bracketed or not)', () => {
    for (const path of [
      { ip: '192.0.2.7', port: 9993 },
      { ip: '2001:db8::1', port: 1 },
      { ip: 'fe80::1%eth0', port: 65535 },
    ])
      assert.deepEqual(parsePathKey(pathKey(path)), path);
    assert.deepEqual(parsePathKey('[2001:db8::1]/9993'), { ip: '2001:db8::1', port: 9993 });
  });

  it('refuses malformed text', () => {
    for (const text of ['', '/9993', '192.0.2.7', '192.0.2.7/0', '192.0.2.7/65536', 'host/9993', '1.2.3/9'])
      assert.equal(parsePathKey(text), undefined, text);
  });
});
