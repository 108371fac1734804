import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newNetwork } from './network-defaults.ts';
import { networkToJson, ROUTEPLANE_NETWORK_EXTRAS, stockNetworkJson } from './network-json.ts';
import type { NetworkRecord } from './network-types.ts';
// The FileDB record stock wrote for the recorded network (same shape as GET /controller/network/<id>).
import stockNetwork from './fixtures/stock-filedb-network.json' with { type: 'json' };

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

test('a default network has the stock key set, order and types', () => {
  const full = networkToJson(newNetwork('f8ea0e79249a7b42', 1795270931911));
  const json = stockNetworkJson(full);
  assert.deepEqual(Object.keys(json), Object.keys(stockNetwork));
  assert.deepEqual(Object.keys(full), [...Object.keys(full)].sort(), 'the extras in alphabetical order too');
  assert.deepEqual(
    ROUTEPLANE_NETWORK_EXTRAS.map((key) => full[key]),
    [[], 30_000, null, null, 'error', false, 'primary'],
    'extras default to the stock behaviour',
  );
  for (const key of Object.keys(stockNetwork) as (keyof typeof stockNetwork)[]) {
    // dns is [] until set, then an object (stock quirk); the recording has it set.
    if (key === 'dns') continue;
    assert.equal(typeOf(json[key]), typeOf(stockNetwork[key]), key);
  }
  assert.deepEqual(json.dns, []);
  assert.deepEqual(json.authTokens, [null]);
  assert.equal(json.objtype, 'network');
  assert.deepEqual(Object.keys(json.v6AssignMode as object), ['6plane', 'rfc4193', 'zt']);
});

test('a populated record renders exactly like the stock JSON', () => {
  const record: NetworkRecord = {
    ...newNetwork(stockNetwork.id, stockNetwork.creationTime),
    name: stockNetwork.name,
    revision: stockNetwork.revision,
    v4AssignMode: { zt: true },
    v6AssignMode: { zt: false, rfc4193: true, '6plane': false },
    ipAssignmentPools: [{ ipRangeStart: '10.147.17.10', ipRangeEnd: '10.147.17.100' }],
    routes: stockNetwork.routes,
    dns: { domain: 'zt.example', servers: ['10.147.17.1'] },
  };
  const json = stockNetworkJson(networkToJson(record));
  assert.equal(JSON.stringify(json), JSON.stringify(stockNetwork), 'byte-identical, key order included');
});

test('certificateTimeoutWindowSize appears only when set, in key order', () => {
  const json = networkToJson({ ...newNetwork('f8ea0e79249a7b42', 1), certificateTimeoutWindowSize: 600000 });
  assert.equal(json.certificateTimeoutWindowSize, 600000);
  const keys = Object.keys(json);
  assert.deepEqual(keys, [...keys].sort());
});

test('the output shares nothing with the record', () => {
  const record: NetworkRecord = {
    ...newNetwork('f8ea0e79249a7b42', 1),
    routes: [{ target: '10.0.0.0/8', via: null }],
    dns: { domain: 'a', servers: ['10.0.0.1'] },
  };
  const json = networkToJson(record);
  (json.routes as unknown[]).push('x');
  (json.dns as { servers: string[] }).servers.push('x');
  (json.authTokens as unknown[]).push('x');
  assert.equal(record.routes.length, 1);
  assert.deepEqual(record.dns, { domain: 'a', servers: ['10.0.0.1'] });
  assert.deepEqual(record.authTokens, [null]);
});
