import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCodes } from '../errors.ts';
import { newMember } from '../member/member-defaults.ts';
import type { MemberRecord } from '../member/member-types.ts';
import { newNetwork } from '../network/network-defaults.ts';
import type { NetworkRecord } from '../network/network-types.ts';
import { planTakeover, type SourcedRecord } from './takeover-plan.ts';

const CONTROLLER = 'f8ea0e7924';
const NET_A = `${CONTROLLER}000001`;
const NET_B = `${CONTROLLER}000002`;

function network(
  id: string,
  patch: Partial<NetworkRecord> = {},
  ignoredKeys: string[] = [],
): SourcedRecord<NetworkRecord> {
  return { path: `network/${id}.json`, record: { ...newNetwork(id, 1), ...patch }, ignoredKeys };
}

function member(
  nwid: string,
  address: string,
  patch: Partial<MemberRecord> = {},
  ignoredKeys: string[] = [],
): SourcedRecord<MemberRecord> {
  return {
    path: `network/${nwid}/member/${address}.json`,
    record: { ...newMember(nwid, address, 1), ...patch },
    ignoredKeys,
  };
}

describe('planTakeover', () => {
  test('figures per network and in total, networks by id and members by address', () => {
    const plan = planTakeover({
      controllerAddress: CONTROLLER,
      networks: [
        network(NET_B),
        network(NET_A, {
          name: 'lab',
          routes: [{ target: '10.0.0.0/24', via: null }],
          ipAssignmentPools: [{ ipRangeStart: '10.0.0.10', ipRangeEnd: '10.0.0.20' }],
          tags: [{ id: 1, default: null }],
          capabilities: [{ id: 7, default: false, rules: [] }],
          dns: { domain: 'lab.example', servers: ['10.0.0.1', '10.0.0.2'] },
        }),
      ],
      members: [
        member(NET_A, 'bbbbbbbbbb', {
          authorized: true,
          ipAssignments: ['10.0.0.11', 'fd00::11'],
          tags: [[1, 2]],
        }),
        member(NET_A, 'aaaaaaaaaa', { authorized: false, ipAssignments: ['10.0.0.12'], capabilities: [7] }),
        member(NET_B, 'aaaaaaaaaa', { authorized: true, ipAssignments: ['10.0.0.12'] }),
      ],
    });
    assert.deepEqual(plan.problems, []);
    assert.deepEqual(
      plan.networks.map((n) => n.id),
      [NET_A, NET_B],
    );
    assert.deepEqual(
      plan.members.get(NET_A)!.map((m) => m.address),
      ['aaaaaaaaaa', 'bbbbbbbbbb'],
    );
    assert.deepEqual(plan.figures[0], {
      id: NET_A,
      name: 'lab',
      members: 2,
      authorized: 1,
      routes: 1,
      pools: 1,
      rules: 1,
      tags: 1,
      capabilities: 1,
      dnsDomain: 'lab.example',
      dnsServers: 2,
      ipAssignments: 3,
      taggedMembers: 1,
      membersWithCapabilities: 1,
    });
    assert.deepEqual(plan.totals, {
      networks: 2,
      members: 3,
      authorized: 2,
      routes: 1,
      pools: 1,
      rules: 2,
      tags: 1,
      capabilities: 1,
      dnsNetworks: 1,
      dnsServers: 2,
      ipAssignments: 4,
      taggedMembers: 1,
      membersWithCapabilities: 1,
    });
  });

  test('an IP held by two members of one network is a conflict naming both files (deauthorized ones too)', () => {
    const plan = planTakeover({
      controllerAddress: CONTROLLER,
      networks: [network(NET_A)],
      members: [
        member(NET_A, 'aaaaaaaaaa', { authorized: false, ipAssignments: ['10.0.0.5'] }),
        member(NET_A, 'bbbbbbbbbb', { authorized: true, ipAssignments: ['10.0.0.6', '10.0.0.5'] }),
      ],
    });
    assert.deepEqual(plan.problems, [
      {
        path: `network/${NET_A}/member/bbbbbbbbbb.json`,
        field: 'ipAssignments[1]',
        code: ErrorCodes.CONFLICT,
        message:
          `10.0.0.5 is also assigned to member aaaaaaaaaa (network/${NET_A}/member/aaaaaaaaaa.json); ` +
          'an address belongs to one member: remove it from one of the two files',
      },
    ]);
  });

  test('a network of another controller is refused: no member could get its config', () => {
    const foreign = '6951fba29ad56e51';
    const plan = planTakeover({ controllerAddress: CONTROLLER, networks: [network(foreign)], members: [] });
    assert.equal(plan.problems.length, 1);
    assert.equal(plan.problems[0]!.field, 'id');
    assert.match(
      plan.problems[0]!.message,
      /belongs to controller 6951fba29a, not to the imported identity f8ea0e7924/,
    );
  });

  test('a network or member given twice (e.g. by file names differing in case) is a conflict', () => {
    const plan = planTakeover({
      controllerAddress: CONTROLLER,
      networks: [network(NET_A), { ...network(NET_A), path: 'other.json' }],
      members: [member(NET_A, 'aaaaaaaaaa'), { ...member(NET_A, 'aaaaaaaaaa'), path: 'other-member.json' }],
    });
    assert.deepEqual(
      plan.problems.map((p) => [p.path, p.code, p.message]),
      [
        ['other.json', ErrorCodes.CONFLICT, `network ${NET_A} is also defined by network/${NET_A}.json`],
        [
          'other-member.json',
          ErrorCodes.CONFLICT,
          `member aaaaaaaaaa of network ${NET_A} is also defined by network/${NET_A}/member/aaaaaaaaaa.json`,
        ],
      ],
    );
    assert.equal(plan.networks.length, 1);
    assert.equal(plan.members.get(NET_A)!.length, 1);
  });

  test('members of networks without a network record are left out; ignored keys are counted', () => {
    const plan = planTakeover({
      controllerAddress: CONTROLLER,
      networks: [network(NET_A, {}, ['lastModified'])],
      members: [
        member(NET_A, 'aaaaaaaaaa', {}, ['authenticationURL', 'lastModified']),
        member(NET_B, 'aaaaaaaaaa', {}, ['authenticationURL']),
      ],
    });
    assert.deepEqual([...plan.members.keys()], [NET_A]);
    assert.equal(plan.totals.members, 1);
    assert.deepEqual(plan.ignoredKeys, [
      { key: 'authenticationURL', files: 2 },
      { key: 'lastModified', files: 2 },
    ]);
  });
});
