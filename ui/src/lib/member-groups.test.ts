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
    routers: [router('aaaaaaaaaa', '192.168.50.0/24')],
  },
  {
    prefix: '172.16.0.0/16',
    steering: 'primary',
    primary: 'bbbbbbbbbb',
    message: '',
    problems: [],
    routers: [router('bbbbbbbbbb', '172.16.0.0/16'), router('cccccccccc', '172.16.0.0/16')],
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
      route('172.16.0.0/16', 'bbbbbbbbbb', 3),
      route('10.0.0.0/8', 'bbbbbbbbbb', 99),
    ]);
    assert.deepEqual(
      groups.map((g) => [g.prefix, g.router, g.count]),
      [
        ['192.168.50.0/24', 'aaaaaaaaaa', 7],
        ['172.16.0.0/16', 'bbbbbbbbbb', 3],
      ],
    );
  });
});
