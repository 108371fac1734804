import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ErrorCodes, RpError } from '../errors.ts';
import { newMember } from '../member/member-defaults.ts';
import { memberToFileJson, parseMemberFile } from './filedb-member.ts';

// The FileDB member files zerotier-one 1.14.1 wrote in the recorded runs (../shared/zerotier).
const SHARED = new URL('../../../../shared/zerotier/', import.meta.url);
const RECORDED = ['run-baseline', 'run-noaes-proto11'].flatMap((run) => {
  const networks = new URL(`${run}/controller.d/network/`, SHARED);
  const nwid = readdirSync(networks).find((entry) => !entry.endsWith('.json'))!;
  const dir = new URL(`${nwid}/member/`, networks);
  return readdirSync(dir).map((name) => ({
    run,
    nwid,
    address: name.slice(0, 10),
    text: readFileSync(new URL(name, dir), 'utf8'),
  }));
});
const NOW = 1_800_000_000_000;
const NWID = 'f8ea0e79249a7b42';
const ADDR = '43e690e007';
const member = () => JSON.parse(RECORDED.find((m) => m.address === ADDR)!.text) as Record<string, unknown>;

function rejects(value: unknown, field: string | undefined, pattern: RegExp) {
  assert.throws(
    () => parseMemberFile(value, NWID, ADDR, NOW),
    (error: unknown) => {
      assert.ok(error instanceof RpError, String(error));
      assert.equal(error.code, ErrorCodes.INVALID_INPUT);
      assert.equal(error.field, field);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('parseMemberFile and memberToFileJson', () => {
  for (const { run, nwid, address, text } of RECORDED) {
    test(`${run} ${address}: the recorded file reads back and is written byte for byte as zerotier-one wrote it`, () => {
      const { record, ignoredKeys } = parseMemberFile(JSON.parse(text), nwid, address, NOW);
      assert.deepEqual(ignoredKeys, []);
      assert.equal(record.authorized, true);
      assert.equal(record.identity?.slice(0, 10), address);
      assert.equal(JSON.stringify(memberToFileJson(record)), text);
    });
  }

  test("the authorization history is the file's, not stamped with the import time", () => {
    const file = {
      ...member(),
      authorized: false,
      lastAuthorizedTime: 100,
      lastDeauthorizedTime: 200,
      lastAuthorizedCredentialType: 'token',
      lastAuthorizedCredential: 'abc',
    };
    const { record } = parseMemberFile(file, NWID, ADDR, NOW);
    assert.equal(record.authorized, false);
    assert.equal(record.lastAuthorizedTime, 100);
    assert.equal(record.lastDeauthorizedTime, 200);
    assert.equal(record.lastAuthorizedCredentialType, 'token');
    assert.equal(record.lastAuthorizedCredential, 'abc');
    const authorized = parseMemberFile({ id: ADDR, authorized: true }, NWID, ADDR, NOW).record;
    assert.equal(authorized.lastAuthorizedTime, 0, 'absent history stays 0 (DB::initMember)');
    assert.equal(authorized.lastAuthorizedCredentialType, null);
  });

  test('fields a file lacks take the stock defaults; a missing creationTime is now', () => {
    const { record } = parseMemberFile({ id: ADDR }, NWID, ADDR, NOW);
    assert.deepEqual(record, newMember(NWID, ADDR, NOW));
  });

  test('the identity pin is kept, lower-cased; "", null or absent mean not learned yet', () => {
    const identity = member().identity as string;
    assert.equal(
      parseMemberFile({ ...member(), identity: identity.toUpperCase() }, NWID, ADDR, NOW).record.identity,
      identity,
    );
    for (const empty of ['', null]) {
      assert.equal(
        parseMemberFile({ ...member(), identity: empty }, NWID, ADDR, NOW).record.identity,
        undefined,
      );
    }
    rejects(
      { ...member(), identity: `${identity}:${'00'.repeat(64)}` },
      'identity',
      /expected a public identity/,
    );
    rejects({ ...member(), identity: identity.slice(0, -2) }, 'identity', /expected a public identity/);
    rejects(
      { ...member(), identity: `f8ea0e7924${identity.slice(10)}` },
      'identity',
      /belongs to f8ea0e7924, not to member 43e690e007/,
    );
  });

  test('id must match the file name, address the id, nwid the folder', () => {
    rejects({ ...member(), id: 'f8ea0e7924' }, 'id', /does not match the file name \(43e690e007\.json\)/);
    rejects({ ...member(), id: 'zz' }, 'id', /expected a 10-hex-digit member address/);
    rejects({ ...member(), address: 'f8ea0e7924' }, 'address', /differs from id/);
    rejects(
      { ...member(), nwid: '6951fba29ad56e51' },
      'nwid',
      /not the network whose folder holds the file \(f8ea0e79249a7b42\)/,
    );
    rejects({ ...member(), objtype: 'network' }, 'objtype', /expected "member"/);
    rejects('member', undefined, /expected a JSON object/);
  });

  test('a bad field is refused by the API parser, naming the field', () => {
    rejects({ ...member(), authorized: 'yes' }, 'authorized', /expected true or false/);
    rejects({ ...member(), ipAssignments: ['10.147.17.45/24'] }, 'ipAssignments[0]', /without \/bits/);
    rejects({ ...member(), tags: [[1]] }, 'tags[0]', /\[id, value\] pair/);
    rejects({ ...member(), vMajor: -2 }, 'vMajor', /out of range/);
    rejects(
      { ...member(), lastAuthorizedCredentialType: 7 },
      'lastAuthorizedCredentialType',
      /a string or null/,
    );
  });

  test('client version -1 (never seen) is kept; fields Routeplane does not keep are reported', () => {
    const { record, ignoredKeys } = parseMemberFile(
      {
        ...member(),
        vMajor: -1,
        vMinor: -1,
        vRev: -1,
        vProto: -1,
        authenticationURL: 'https://sso',
        recentLog: [],
      },
      NWID,
      ADDR,
      NOW,
    );
    assert.deepEqual([record.vMajor, record.vMinor, record.vRev, record.vProto], [-1, -1, -1, -1]);
    assert.deepEqual(ignoredKeys, ['authenticationURL', 'recentLog']);
  });

  test('IPs are canonical and deduplicated; tags and capabilities sorted (the API quirk fixes)', () => {
    const { record } = parseMemberFile(
      {
        ...member(),
        ipAssignments: ['FD00::0001', 'fd00::1', '10.1.1.1'],
        tags: [
          [5, 1],
          [2, 9],
        ],
        capabilities: [3, 1, 3],
      },
      NWID,
      ADDR,
      NOW,
    );
    assert.deepEqual(record.ipAssignments, ['fd00::1', '10.1.1.1']);
    assert.deepEqual(record.tags, [
      [2, 9],
      [5, 1],
    ]);
    assert.deepEqual(record.capabilities, [1, 3]);
  });
});
