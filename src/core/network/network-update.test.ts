import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCodes, isRpError } from '../errors.ts';
import { newNetwork } from './network-defaults.ts';
import { networkToJson, stockNetworkJson } from './network-json.ts';
import type { NetworkRecord } from './network-types.ts';
import { applyNetworkUpdate } from './network-update.ts';
// Recorded from zerotier-one 1.14.1 (run-baseline in the shared ZeroTier vectors).
import createBody from './fixtures/stock-network-create-body.json' with { type: 'json' };
import createResponse from './fixtures/stock-network-create-response.json' with { type: 'json' };
import addRouteResponse from './fixtures/stock-network-post-add-route.json' with { type: 'json' };

const NWID = 'f8ea0e79249a7b42';
const base = (): NetworkRecord => newNetwork(NWID, 1795270931911);

function withoutServerFields(json: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, nwid: _nwid, creationTime: _c, revision: _r, ...rest } = json;
  return rest;
}

function rejects(body: unknown, code: string, field: string, ...fragments: string[]): void {
  const current = base();
  const before = structuredClone(current);
  assert.throws(
    () => applyNetworkUpdate(current, body),
    (e) => {
      assert.ok(isRpError(e), String(e));
      assert.equal(e.code, code);
      assert.equal(e.field, field);
      for (const fragment of [`${field}: `, ...fragments]) {
        assert.ok(
          e.message.includes(fragment),
          `${JSON.stringify(e.message)} lacks ${JSON.stringify(fragment)}`,
        );
      }
      return true;
    },
  );
  assert.deepEqual(current, before, 'a failed update changes nothing');
}

describe('applyNetworkUpdate against the stock recordings', () => {
  test('the create body yields the stock create response', () => {
    const json = stockNetworkJson(networkToJson(applyNetworkUpdate(base(), createBody)));
    assert.deepEqual(withoutServerFields(json), withoutServerFields(createResponse));
    assert.deepEqual(Object.keys(json), Object.keys(createResponse));
    assert.equal(json.id, NWID);
    assert.equal(json.nwid, NWID);
  });

  test('posting a new routes array yields the stock response', () => {
    const created = applyNetworkUpdate(base(), createBody);
    const routes = [
      ...createResponse.routes,
      { target: '10.99.0.0/16', via: '10.147.17.1' },
      { target: '10.150.0.0/16', via: null },
    ];
    const json = stockNetworkJson(networkToJson(applyNetworkUpdate(created, { routes })));
    assert.deepEqual(withoutServerFields(json), withoutServerFields(addRouteResponse));
  });

  test('posting back a whole GET response (as UIs do) changes nothing', () => {
    const created = { ...applyNetworkUpdate(base(), createBody), revision: 1 };
    const again = applyNetworkUpdate(created, networkToJson(created));
    assert.deepEqual(again, created);
    const fromStock = applyNetworkUpdate(created, createResponse);
    assert.deepEqual(fromStock, created);
  });
});

describe('applyNetworkUpdate semantics', () => {
  test('never mutates the current record and never touches revision', () => {
    const current = { ...base(), revision: 7 };
    const before = structuredClone(current);
    const next = applyNetworkUpdate(current, { name: 'x', routes: [{ target: '10.0.0.0/8' }], revision: 99 });
    assert.deepEqual(current, before);
    assert.equal(next.revision, 7);
    assert.notEqual(next.routes, current.routes);
    next.rules.push({ not: false, or: false, type: 'ACTION_DROP' });
    assert.equal(current.rules.length, 1, 'the result shares no arrays with the input');
  });

  test('read-only and unknown fields are ignored whatever their value', () => {
    const current = base();
    const next = applyNetworkUpdate(current, {
      id: 5,
      nwid: 'zzz',
      objtype: 'member',
      revision: 'x',
      creationTime: 'yesterday',
      meta: 1,
      authorizedMemberCount: 'many',
      somethingElse: { deep: true },
    });
    assert.deepEqual(next, current);
  });

  test('scalars', () => {
    const next = applyNetworkUpdate(base(), {
      name: 'net',
      private: false,
      enableBroadcast: false,
      ssoEnabled: true,
      mtu: 1280,
      multicastLimit: 0,
      rulesSource: 'accept;',
      clientId: 'c',
      authorizationEndpoint: 'https://x',
      remoteTraceTarget: 'ABCDEF0123',
      remoteTraceLevel: 2,
      certificateTimeoutWindowSize: 300000,
    });
    assert.equal(next.name, 'net');
    assert.equal(next.private, false);
    assert.equal(next.enableBroadcast, false);
    assert.equal(next.ssoEnabled, true);
    assert.equal(next.mtu, 1280);
    assert.equal(next.multicastLimit, 0);
    assert.equal(next.rulesSource, 'accept;');
    assert.equal(next.clientId, 'c');
    assert.equal(next.authorizationEndpoint, 'https://x');
    assert.equal(next.remoteTraceTarget, 'abcdef0123');
    assert.equal(next.remoteTraceLevel, 2);
    assert.equal(next.certificateTimeoutWindowSize, 300000);
    assert.equal(networkToJson(next).certificateTimeoutWindowSize, 300000);
    const unset = applyNetworkUpdate(next, { certificateTimeoutWindowSize: null, remoteTraceTarget: '' });
    assert.equal('certificateTimeoutWindowSize' in unset, false);
    assert.equal('certificateTimeoutWindowSize' in networkToJson(unset), false);
    assert.equal(unset.remoteTraceTarget, null);
  });

  test('assign modes: objects merge, legacy strings replace', () => {
    const v6 = applyNetworkUpdate(base(), { v6AssignMode: { rfc4193: true } }).v6AssignMode;
    assert.deepEqual(v6, { zt: false, rfc4193: true, '6plane': false });
    const merged = applyNetworkUpdate(
      { ...base(), v6AssignMode: { zt: true, rfc4193: false, '6plane': true } },
      {
        v6AssignMode: { rfc4193: true },
      },
    ).v6AssignMode;
    assert.deepEqual(merged, { zt: true, rfc4193: true, '6plane': true });
    assert.deepEqual(applyNetworkUpdate(base(), { v6AssignMode: 'rfc4193, zt' }).v6AssignMode, {
      zt: true,
      rfc4193: true,
      '6plane': false,
    });
    assert.deepEqual(
      applyNetworkUpdate(
        { ...base(), v6AssignMode: { zt: true, rfc4193: true, '6plane': true } },
        { v6AssignMode: '' },
      ).v6AssignMode,
      { zt: false, rfc4193: false, '6plane': false },
    );
    assert.deepEqual(applyNetworkUpdate(base(), { v4AssignMode: 'zt' }).v4AssignMode, { zt: true });
    assert.deepEqual(
      applyNetworkUpdate({ ...base(), v4AssignMode: { zt: true } }, { v4AssignMode: 'none' }).v4AssignMode,
      {
        zt: false,
      },
    );
    assert.deepEqual(
      applyNetworkUpdate({ ...base(), v4AssignMode: { zt: true } }, { v4AssignMode: {} }).v4AssignMode,
      {
        zt: true,
      },
    );
  });

  test('dns: object stored, [] and null mean no DNS', () => {
    const withDns = applyNetworkUpdate(base(), {
      dns: { domain: 'zt.example', servers: ['10.147.17.1', 'FD00::1'] },
    });
    assert.deepEqual(withDns.dns, { domain: 'zt.example', servers: ['10.147.17.1', 'fd00::1'] });
    assert.deepEqual(applyNetworkUpdate(withDns, { dns: [] }).dns, []);
    assert.deepEqual(applyNetworkUpdate(withDns, { dns: null }).dns, []);
    assert.deepEqual(applyNetworkUpdate(base(), { dns: {} }).dns, { domain: '', servers: [] });
  });

  test('authTokens: [null] and [] keep [null]; token objects are kept', () => {
    assert.deepEqual(applyNetworkUpdate(base(), { authTokens: [null] }).authTokens, [null]);
    assert.deepEqual(applyNetworkUpdate(base(), { authTokens: [] }).authTokens, [null]);
    assert.deepEqual(
      applyNetworkUpdate(base(), { authTokens: [null, { token: 'abc', expires: 5, junk: 1 }] }).authTokens,
      [{ token: 'abc', expires: 5 }],
    );
  });

  test('capabilities and tags are validated and ordered by id (as stock)', () => {
    const next = applyNetworkUpdate(base(), {
      capabilities: [
        { id: 9, rules: [{ type: 'ACTION_ACCEPT' }] },
        { id: 2, default: true, rules: [] },
      ],
      tags: [{ id: 5, default: 3 }, { id: 1, default: null }, { id: 3 }],
    });
    assert.deepEqual(next.capabilities, [
      { id: 2, default: true, rules: [] },
      { id: 9, default: false, rules: [{ not: false, or: false, type: 'ACTION_ACCEPT' }] },
    ]);
    assert.deepEqual(next.tags, [
      { id: 1, default: null },
      { id: 3, default: null },
      { id: 5, default: 3 },
    ]);
    assert.deepEqual(networkToJson(next).capabilities, [
      { default: true, id: 2, rules: [] },
      { default: false, id: 9, rules: [{ not: false, or: false, type: 'ACTION_ACCEPT' }] },
    ]);
  });

  test('rules are canonicalised', () => {
    const next = applyNetworkUpdate(base(), {
      rules: [
        { type: 'MATCH_ETHERTYPE', etherType: 2048, not: true },
        { type: 'ACTION_DROP' },
        { type: 'ACTION_ACCEPT' },
      ],
    });
    assert.deepEqual(next.rules, [
      { etherType: 2048, not: true, or: false, type: 'MATCH_ETHERTYPE' },
      { not: false, or: false, type: 'ACTION_DROP' },
      { not: false, or: false, type: 'ACTION_ACCEPT' },
    ]);
  });
});

describe('applyNetworkUpdate rejects bad input (nothing applied)', () => {
  const I = ErrorCodes.INVALID_INPUT;
  test('body not an object', () => {
    rejects([], I, 'body', '[]');
    rejects(null, I, 'body', 'null');
    rejects('{"name":"x"}', I, 'body', '"{\\"name\\":\\"x\\"}"');
  });
  test('wrong types', () => {
    rejects({ private: 'true' }, I, 'private', '"true"');
    rejects({ enableBroadcast: 1 }, I, 'enableBroadcast', '1');
    rejects({ ssoEnabled: null }, I, 'ssoEnabled', 'null');
    rejects({ name: 5 }, I, 'name', '5');
    rejects({ name: 'x'.repeat(128) }, I, 'name', '128 bytes', '127');
    rejects({ mtu: '2800' }, I, 'mtu', '"2800"');
    rejects({ mtu: 2800.5 }, I, 'mtu', '2800.5');
    rejects({ multicastLimit: -1 }, I, 'multicastLimit', '-1');
    rejects({ rulesSource: [] }, I, 'rulesSource', '[]');
    rejects({ remoteTraceTarget: 'abc' }, I, 'remoteTraceTarget', '"abc"');
    rejects({ remoteTraceLevel: -2 }, I, 'remoteTraceLevel', '-2');
    rejects({ v4AssignMode: { zt: 'yes' } }, I, 'v4AssignMode.zt', '"yes"');
    rejects({ v4AssignMode: 1 }, I, 'v4AssignMode', '1');
    rejects({ v6AssignMode: { '6plane': 1 } }, I, 'v6AssignMode.6plane', '1');
    rejects({ dns: { domain: 'x', servers: ['dns.google'] } }, I, 'dns.servers[0]', '"dns.google"');
    rejects(
      { dns: { servers: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4', '9.9.9.9'] } },
      I,
      'dns.servers',
      '5 servers',
      '4',
    );
    rejects({ dns: ['1.1.1.1'] }, I, 'dns', '["1.1.1.1"]');
    rejects({ authTokens: ['tok'] }, I, 'authTokens[0]', '"tok"');
    rejects({ authTokens: [{ token: 1 }] }, I, 'authTokens[0].token', '1');
    rejects({ capabilities: [{ id: 'a' }] }, I, 'capabilities[0].id', '"a"');
    rejects({ capabilities: [{ id: 1 }, { id: 1 }] }, I, 'capabilities[1].id', 'id 1', 'capabilities[0]');
    rejects({ tags: [{ id: 1, default: 'x' }] }, I, 'tags[0].default', '"x"');
    rejects({ tags: [{ id: 1 }, { id: 1 }] }, I, 'tags[1].id', 'id 1');
  });
  test('mtu outside [1280, 10000] is rejected naming the range (stock clamps)', () => {
    rejects({ mtu: 1279 }, I, 'mtu', '1279', '[1280, 10000]');
    rejects({ mtu: 10001 }, I, 'mtu', '10001', '[1280, 10000]');
  });
  test('certificateTimeoutWindowSize outside [300000, 7200000]', () => {
    rejects(
      { certificateTimeoutWindowSize: 299999 },
      I,
      'certificateTimeoutWindowSize',
      '299999',
      '[300000, 7200000]',
    );
    rejects({ certificateTimeoutWindowSize: '1h' }, I, 'certificateTimeoutWindowSize', '"1h"');
  });
  test('v6AssignMode legacy string with unknown words names them', () => {
    rejects({ v6AssignMode: 'rfc4193,slaac,zt,dhcp' }, I, 'v6AssignMode', '"slaac"', '"dhcp"');
  });
  test('bad CIDR', () => {
    rejects({ routes: [{ target: 'banana', via: null }] }, I, 'routes[0].target', '"banana"');
  });
  test('bad bits', () => {
    rejects(
      { routes: [{ target: '10.0.0.0/33', via: null }] },
      I,
      'routes[0].target',
      '"10.0.0.0/33"',
      '0..32',
    );
  });
  test('host bits set', () => {
    rejects(
      { routes: [{ target: '10.0.0.0/8' }, { target: '10.1.2.3/24', via: null }] },
      I,
      'routes[1].target',
      '10.1.2.3/24 has host bits set (did you mean 10.1.2.0/24?)',
    );
  });
  test('via of the other family', () => {
    rejects(
      {
        routes: [
          { target: '10.0.0.0/8' },
          { target: '10.0.0.0/24' },
          { target: '10.0.0.0/8', via: 'fd00::1' },
        ],
      },
      I,
      'routes[2].via',
      'routes[2].via: "fd00::1" is IPv6 but target 10.0.0.0/8 is IPv4',
    );
  });
  test('reversed pool', () => {
    rejects(
      { ipAssignmentPools: [{ ipRangeStart: '10.147.17.100', ipRangeEnd: '10.147.17.10' }] },
      I,
      'ipAssignmentPools[0]',
      '"10.147.17.100"',
      '"10.147.17.10"',
    );
  });
  test('mixed-family pool', () => {
    rejects(
      { ipAssignmentPools: [{ ipRangeStart: '10.147.17.10', ipRangeEnd: 'fd00::10' }] },
      I,
      'ipAssignmentPools[0]',
      '"10.147.17.10"',
      '"fd00::10"',
    );
  });
  test('duplicate route', () => {
    rejects(
      {
        routes: [
          { target: 'fd00::/64', via: 'fd00::1' },
          { target: 'FD00:0::/64', via: 'FD00::0001' },
        ],
      },
      I,
      'routes[1]',
      'duplicate route fd00::/64 via fd00::1',
    );
  });
  test('129 routes', () => {
    const routes = Array.from({ length: 129 }, (_, i) => ({ target: `10.0.${i}.0/24`, via: null }));
    rejects(
      { routes },
      ErrorCodes.ROUTE_LIMIT,
      'routes',
      '129 routes',
      '128 routes per network',
      'ZT_MAX_NETWORK_ROUTES',
    );
  });
  test('bad rule', () => {
    rejects(
      { rules: [{ type: 'ACTION_ACCEPT' }, { type: 'MATCH_IP_PROTOCOL', ipProtocol: 300 }] },
      I,
      'rules[1].ipProtocol',
      '300',
    );
    rejects({ rules: [{ type: 'ACCEPT' }] }, I, 'rules[0].type', '"ACCEPT"');
    rejects(
      { capabilities: [{ id: 1, rules: [{ type: 'NOPE' }] }] },
      I,
      'capabilities[0].rules[0].type',
      '"NOPE"',
    );
  });
  test('a late error leaves earlier valid fields unapplied', () => {
    rejects({ name: 'fine', mtu: 1500, routes: [{ target: 'x' }] }, I, 'routes[0].target', '"x"');
  });

  test('property: any failing update throws an RpError and never mutates', () => {
    const anyValue = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 2 }),
    );
    const keys = fc.constantFrom(
      'name',
      'private',
      'mtu',
      'routes',
      'dns',
      'v6AssignMode',
      'rules',
      'tags',
      'authTokens',
      'id',
    );
    fc.assert(
      fc.property(fc.dictionary(keys, anyValue), (body) => {
        const current = base();
        const before = structuredClone(current);
        try {
          applyNetworkUpdate(current, body);
        } catch (e) {
          assert.ok(isRpError(e), String(e));
        }
        assert.deepEqual(current, before);
      }),
    );
  });
});
