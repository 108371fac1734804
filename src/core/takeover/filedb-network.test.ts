import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ErrorCodes, RpError } from '../errors.ts';
import { newNetwork } from '../network/network-defaults.ts';
import { networkToFileJson, parseNetworkFile } from './filedb-network.ts';

// The FileDB network files zerotier-one 1.14.1 wrote in the recorded runs (../shared/zerotier).
const SHARED = new URL('../../../../shared/zerotier/', import.meta.url);
const RECORDED = ['run-baseline', 'run-noaes-proto11'].map((run) => {
  const dir = new URL(`${run}/controller.d/network/`, SHARED);
  const name = readdirSync(dir).find((entry) => entry.endsWith('.json'))!;
  return { run, id: name.slice(0, 16), text: readFileSync(new URL(name, dir), 'utf8') };
});
const NOW = 1_800_000_000_000;
const NWID = RECORDED[0]!.id;

function rejects(
  value: unknown,
  field: string | undefined,
  pattern: RegExp,
  code: string = ErrorCodes.INVALID_INPUT,
) {
  assert.throws(
    () => parseNetworkFile(value, NWID, NOW),
    (error: unknown) => {
      assert.ok(error instanceof RpError, String(error));
      assert.equal(error.code, code);
      assert.equal(error.field, field);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

const recorded = () => JSON.parse(RECORDED[0]!.text) as Record<string, unknown>;

describe('parseNetworkFile and networkToFileJson', () => {
  for (const { run, id, text } of RECORDED) {
    test(`${run}: the recorded file reads back and is written byte for byte as zerotier-one wrote it`, () => {
      const { record, ignoredKeys } = parseNetworkFile(JSON.parse(text), id, NOW);
      assert.deepEqual(ignoredKeys, []);
      assert.equal(record.id, id);
      assert.equal(record.revision, 1);
      assert.equal(record.name, 'zt-research-net');
      assert.equal(record.routes.length, 5);
      assert.deepEqual(record.dns, { domain: 'zt.example', servers: ['10.147.17.1'] });
      assert.equal(JSON.stringify(networkToFileJson(record)), text);
    });
  }

  test('fields a file lacks take the stock defaults (DB::initNetwork); a missing creationTime is now', () => {
    const { record } = parseNetworkFile({ id: NWID, objtype: 'network' }, NWID, NOW);
    assert.deepEqual(record, { ...newNetwork(NWID, NOW), revision: 0 });
  });

  test('revision and creationTime are kept, not reset', () => {
    const { record } = parseNetworkFile({ id: NWID, revision: 41, creationTime: 12 }, NWID, NOW);
    assert.equal(record.revision, 41);
    assert.equal(record.creationTime, 12);
  });

  test('the legacy forms the API accepts are accepted (v4AssignMode "zt", v6AssignMode list, via "")', () => {
    const { record } = parseNetworkFile(
      {
        id: NWID,
        v4AssignMode: 'zt',
        v6AssignMode: 'rfc4193,6plane',
        routes: [{ target: '10.1.0.0/16', via: '' }],
      },
      NWID,
      NOW,
    );
    assert.deepEqual(record.v4AssignMode, { zt: true });
    assert.deepEqual(record.v6AssignMode, { zt: false, rfc4193: true, '6plane': true });
    assert.deepEqual(record.routes, [{ target: '10.1.0.0/16', via: null }]);
  });

  test("stock's INTEGER_RANGE spelling is read, and written back the way zerotier-one reads it", () => {
    const rule = {
      bits: 8,
      end: '00000000000000ff',
      idx: 0,
      little: false,
      not: false,
      or: false,
      start: '0000000000000000',
      type: 'INTEGER_RANGE',
    };
    const file = { ...recorded(), rules: [rule], capabilities: [{ default: false, id: 1, rules: [rule] }] };
    const { record } = parseNetworkFile(file, NWID, NOW);
    assert.equal(record.rules[0]!.type, 'MATCH_INTEGER_RANGE');
    const json = networkToFileJson(record);
    assert.deepEqual(json.rules, [rule]);
    assert.deepEqual(json.capabilities, [{ default: false, id: 1, rules: [rule] }]);
    assert.equal(record.rules[0]!.type, 'MATCH_INTEGER_RANGE', 'the record is not changed by writing it');
  });

  test('unknown keys and Routeplane extras are not imported and are reported', () => {
    const { record, ignoredKeys } = parseNetworkFile(
      { ...recorded(), lastModified: 5, ipamSubnet: '10.0.0.0/8', steering: 'spread' },
      NWID,
      NOW,
    );
    assert.deepEqual(ignoredKeys, ['ipamSubnet', 'lastModified', 'steering']);
    assert.equal(record.ipamSubnet, null);
    assert.equal(record.steering, 'primary');
  });

  test('the file must be one JSON object of type network', () => {
    rejects([recorded()], undefined, /expected a JSON object/);
    rejects(null, undefined, /expected a JSON object, got null/);
    rejects({ ...recorded(), objtype: 'member' }, 'objtype', /expected "network", got "member"/);
  });

  test('id must be a network ID and match the file name; nwid must match id', () => {
    rejects({ ...recorded(), id: 42 }, 'id', /expected a 16-hex-digit network ID, got 42/);
    rejects(
      { ...recorded(), id: 'f8ea0e79249a7b43' },
      'id',
      /does not match the file name \(f8ea0e79249a7b42\.json\)/,
    );
    rejects({ ...recorded(), nwid: 'f8ea0e79249a7b43' }, 'nwid', /differs from id/);
    const upper = parseNetworkFile(
      { ...recorded(), id: NWID.toUpperCase(), nwid: NWID.toUpperCase() },
      NWID,
      NOW,
    );
    assert.equal(upper.record.id, NWID, 'hex case does not matter');
  });

  test('a bad field is refused by the API parser, naming the field', () => {
    const routes = [
      { target: '10.147.17.0/24', via: null },
      { target: '10.300.0.0/16', via: null },
    ];
    rejects({ ...recorded(), routes }, 'routes[1].target', /10\.300\.0\.0\/16/);
    rejects({ ...recorded(), private: 'yes' }, 'private', /expected true or false, got "yes"/);
    rejects({ ...recorded(), mtu: 100 }, 'mtu', /out of range/);
    rejects({ ...recorded(), rules: [{ type: 'ACTION_SMILE' }] }, 'rules[0].type', /unknown rule type/);
    rejects({ ...recorded(), revision: -1 }, 'revision', /out of range/);
    rejects({ ...recorded(), creationTime: '1' }, 'creationTime', /expected an integer/);
  });

  test('more than 128 routes (stock stores them, then silently sends 128) is a route-limit error', () => {
    const routes = Array.from({ length: 129 }, (_, i) => ({ target: `10.${i}.0.0/16`, via: null }));
    rejects({ ...recorded(), routes }, 'routes', /129 routes given.*at most 128/, ErrorCodes.ROUTE_LIMIT);
  });
});
