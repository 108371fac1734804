import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdvertisedPrefix, RouteView, RouterView } from './api-types.ts';
import { memberCountsOf } from './member-groups.ts';

const router = (member: string, prefix: string): RouterView => ({
  member,
  prefix,
  metric: 100,
  advertised: true,
  approved: true,
  approvedBy: 'api',
  primary: false,
  standby: false,
  health: 'healthy',
  eligible: true,
  reason: null,
  via: null,
  advertisedAt: 0,
  approvedAt: 0,
});

const advertised: AdvertisedPrefix[] = [
  {
    prefix: '192.168.50.0/24',
    steering: 'primary',
    primary: 'aaaaaaaaaa',
    message: '',
    problems: [],
    withdrawn: [],
    routers: [{ ...router('aaaaaaaaaa', '192.168.50.0/24'), primary: true }],
  },
  {
    prefix: '172.16.0.0/16',
    steering: 'primary',
    primary: 'bbbbbbbbbb',
    message: '',
    problems: [],
    withdrawn: [],
    routers: [
      { ...router('bbbbbbbbbb', '172.16.0.0/16'), primary: true },
      { ...router('cccccccccc', '172.16.0.0/16'), standby: true },
    ],
  },
  {
    prefix: '10.60.0.0/16',
    steering: 'spread',
    primary: null,
    message: '',
    problems: [],
    withdrawn: [],
    routers: [
      { ...router('dddddddddd', '10.60.0.0/16'), members: 4 },
      { ...router('eeeeeeeeee', '10.60.0.0/16'), members: 0 },
    ],
  },
];

describe('member groups', () => {
  it('counts members per router from the report, including a prefix sent as its halves', () => {
    const route = (
      target: string,
      owner: string,
      members: number,
      status: RouteView['status'] = 'active',
    ): RouteView => ({
      target,
      via: '10.0.0.1',
      source: 'advertised',
      owner,
      status,
      members,
    });
    const groups = memberCountsOf(advertised, [
      route('192.168.50.0/25', 'aaaaaaaaaa', 7),
      route('192.168.50.128/25', 'aaaaaaaaaa', 7),
      route('172.16.0.0/17', 'bbbbbbbbbb', 3),
      route('172.16.128.0/17', 'bbbbbbbbbb', 3),
      // A standby router's form lies beneath the primary's: it carries no one.
      route('172.16.0.0/16', 'cccccccccc', 3),
      route('10.0.0.0/8', 'bbbbbbbbbb', 99),
      // Spread: the report's own share per router (standby routes beneath would double count).
      route('10.60.0.0/16', 'dddddddddd', 9),
    ]);
    assert.deepEqual(
      groups.map((g) => [g.prefix, g.router, g.count]),
      [
        ['192.168.50.0/24', 'aaaaaaaaaa', 7],
        ['172.16.0.0/16', 'bbbbbbbbbb', 3],
        ['10.60.0.0/16', 'dddddddddd', 4],
      ],
    );
  });
});
