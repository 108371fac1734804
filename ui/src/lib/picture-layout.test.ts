import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdvertisedPrefix, RouterView } from './api-types.ts';
import { edgeTone, layoutPicture, type Picture, type PictureNode } from './picture-layout.ts';

const router = (member: string, extra: Partial<RouterView> = {}): RouterView =>
  ({
    member,
    prefix: '192.168.50.0/24',
    metric: 100,
    advertised: true,
    approved: true,
    approvedBy: 'api',
    primary: false,
    health: 'healthy',
    eligible: true,
    reason: null,
    via: null,
    slot: 0,
    advertisedAt: 0,
    approvedAt: 0,
    ...extra,
  }) as RouterView;

const prefix = (
  p: string,
  routers: RouterView[],
  steering: 'primary' | 'spread' = 'primary',
): AdvertisedPrefix => ({
  prefix: p,
  steering,
  primary: routers.find((r) => r.primary)?.member ?? null,
  message: '',
  problems: [],
  withdrawn: [],
  routers,
});

const advertised = [
  prefix('192.168.50.0/24', [router('aaaaaaaaaa', { primary: true }), router('bbbbbbbbbb')]),
  prefix('172.16.0.0/16', [
    router('bbbbbbbbbb', { primary: true, prefix: '172.16.0.0/16' }),
    router('cccccccccc', { approved: false }),
  ]),
];

function overlaps(a: PictureNode, b: PictureNode): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function checkGeometry(picture: Picture) {
  for (const node of picture.nodes) {
    assert.ok(node.x >= 0 && node.y >= 0, `${node.id} inside (top left)`);
    assert.ok(node.x + node.w <= picture.width && node.y + node.h <= picture.height, `${node.id} inside`);
  }
  for (let i = 0; i < picture.nodes.length; i++)
    for (let j = i + 1; j < picture.nodes.length; j++)
      assert.ok(
        !overlaps(picture.nodes[i]!, picture.nodes[j]!),
        `${picture.nodes[i]!.id} / ${picture.nodes[j]!.id}`,
      );
  const ids = new Set(picture.nodes.map((n) => n.id));
  for (const edge of picture.edges) assert.ok(ids.has(edge.from) && ids.has(edge.to), edge.id);
}

describe('picture layout', () => {
  const names = new Map([
    ['aaaaaaaaaa', 'router-a'],
    ['dddddddddd', 'laptop'],
  ]);
  const groups = [
    { prefix: '192.168.50.0/24', router: 'aaaaaaaaaa', members: ['dddddddddd'], count: 1 },
    { prefix: '172.16.0.0/16', router: 'bbbbbbbbbb', members: [], count: 1234 },
  ];

  it('columns: each router once, primaries first, edges toned by role', () => {
    const picture = layoutPicture({ advertised, groups, names, layout: 'columns' });
    checkGeometry(picture);
    const routers = picture.nodes.filter((n) => n.kind === 'router');
    assert.deepEqual(
      routers.map((n) => n.title),
      ['router-a', 'bbbbbbbbbb', 'cccccccccc'],
    );
    assert.ok(
      routers.every((n) => n.x === routers[0]!.x),
      'one column',
    );
    const tones = Object.fromEntries(picture.edges.map((e) => [e.id, e.tone]));
    assert.equal(tones['router:aaaaaaaaaa>prefix:192.168.50.0/24'], 'primary');
    assert.equal(tones['router:bbbbbbbbbb>prefix:192.168.50.0/24'], 'backup');
    assert.equal(tones['router:bbbbbbbbbb>prefix:172.16.0.0/16'], 'primary');
    assert.equal(tones['router:cccccccccc>prefix:172.16.0.0/16'], 'pending');
    const members = picture.nodes.filter((n) => n.kind === 'members').map((n) => [n.title, n.subtitle]);
    assert.deepEqual(members, [
      ['laptop', 'via router-a'],
      ['1,234 members', 'via bbbbbbbbbb'],
    ]);
    assert.match(
      picture.summary[0]!,
      /^192\.168\.50\.0\/24, primary steering: routers router-a \(primary · healthy · metric 100\)/,
    );
    assert.match(picture.summary[1]!, /cccccccccc \(awaiting approval · metric 100\)/);
    assert.match(picture.summary[1]!, /1,234 members via bbbbbbbbbb/);
  });

  it('stacked: one narrow column, a section per prefix, nothing overlapping', () => {
    const picture = layoutPicture({ advertised, groups, names, layout: 'stacked' });
    checkGeometry(picture);
    assert.ok(picture.width <= 300, `fits a phone: ${picture.width}`);
    assert.equal(
      picture.nodes.filter((n) => n.kind === 'router').length,
      4,
      'router b drawn in both sections',
    );
    const ys = picture.nodes.map((n) => n.y);
    assert.deepEqual(
      [...ys].sort((a, b) => a - b),
      ys,
      'top to bottom in reading order',
    );
  });

  it('empty: no prefixes, a small empty picture', () => {
    const picture = layoutPicture({ advertised: [], groups: [], names, layout: 'columns' });
    assert.deepEqual([picture.nodes, picture.edges, picture.summary], [[], [], []]);
    assert.ok(picture.height > 0);
  });

  it('a down router is red whatever its role; spread routers carrying members are solid', () => {
    assert.equal(edgeTone(router('x', { primary: true, health: 'down' }), 'primary'), 'down');
    assert.equal(edgeTone(router('x', { members: 3 }), 'spread'), 'carrying');
    assert.equal(edgeTone(router('x', { members: 0 }), 'spread'), 'backup');
  });
});
