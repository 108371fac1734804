// The picture: routers → advertised prefixes → the members routed through them, laid out as SVG
// boxes and curves. Pure geometry from the routes report, so it is tested without a browser.
// Wide screens get three columns with each router drawn once; narrow ones one column per prefix
// (routers, then the prefix, then its members), which fits a phone without shrinking the text.
import type { AdvertisedPrefix, RouterView } from './api-types.ts';
import { plural } from './format.ts';
import type { MemberGroup } from './member-groups.ts';

export type NodeTone = 'healthy' | 'suspect' | 'down' | 'draining' | 'unknown' | 'prefix' | 'members';
export type EdgeTone = 'primary' | 'carrying' | 'backup' | 'pending' | 'down' | 'members';

export interface PictureNode {
  id: string;
  kind: 'router' | 'prefix' | 'members';
  x: number;
  y: number;
  w: number;
  h: number;
  title: string;
  subtitle: string;
  tone: NodeTone;
}

export interface PictureEdge {
  id: string;
  from: string;
  to: string;
  /** An SVG path from the source's exit side to the target's entry side. */
  d: string;
  tone: EdgeTone;
}

export interface Picture {
  width: number;
  height: number;
  nodes: PictureNode[];
  edges: PictureEdge[];
  /** The same content as sentences, for screen readers and for anyone who would rather read. */
  summary: string[];
}

export interface PictureInput {
  advertised: readonly AdvertisedPrefix[];
  groups: readonly MemberGroup[];
  /** Display names of members by address (routers and members). */
  names: ReadonlyMap<string, string>;
  layout: 'columns' | 'stacked';
}

const ROUTER = { w: 200, h: 52 };
const PREFIX = { w: 190, h: 52 };
const MEMBERS = { w: 200, h: 52 };
const GAP = 18;
const COLUMN_GAP = 110;
const MARGIN = 16;

export function routerTone(router: Pick<RouterView, 'health'>): NodeTone {
  switch (router.health) {
    case 'healthy':
    case 'suspect':
    case 'down':
    case 'draining':
      return router.health;
    default:
      return 'unknown';
  }
}

export function edgeTone(router: RouterView, steering: AdvertisedPrefix['steering']): EdgeTone {
  if (!router.approved) return 'pending';
  if (router.health === 'down') return 'down';
  if (steering === 'primary') return router.primary ? 'primary' : 'backup';
  return (router.members ?? 0) > 0 ? 'carrying' : 'backup';
}

function routerSubtitle(router: RouterView): string {
  const parts = [router.approved ? (router.health ?? 'no verdict yet') : 'awaiting approval'];
  if (router.primary) parts.unshift('primary');
  parts.push(`metric ${router.metric}`);
  return parts.join(' · ');
}

const curve = (x1: number, y1: number, x2: number, y2: number, vertical: boolean) => {
  if (vertical) {
    const my = (y1 + y2) / 2;
    return `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`;
  }
  const mx = (x1 + x2) / 2;
  return `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
};

function memberNode(group: MemberGroup, names: ReadonlyMap<string, string>): Omit<PictureNode, 'x' | 'y'> {
  const via = names.get(group.router) ?? group.router;
  const title =
    group.members.length === 1
      ? (names.get(group.members[0]!) ?? group.members[0]!)
      : group.members.length > 1 && group.members.length <= 3
        ? group.members.map((m) => names.get(m) ?? m).join(', ')
        : plural(group.count, 'member');
  return {
    id: `members:${group.prefix}:${group.router}`,
    kind: 'members',
    w: MEMBERS.w,
    h: MEMBERS.h,
    title,
    subtitle: `via ${via}`,
    tone: 'members',
  };
}

function summaryOf(input: PictureInput): string[] {
  const name = (address: string) => input.names.get(address) ?? address;
  return input.advertised.map((prefix) => {
    const routers = prefix.routers.map((r) => `${name(r.member)} (${routerSubtitle(r)})`).join('; ');
    const groups = input.groups
      .filter((g) => g.prefix === prefix.prefix)
      .map((g) => `${plural(g.count, 'member')} via ${name(g.router)}`)
      .join('; ');
    return `${prefix.prefix}, ${prefix.steering} steering: routers ${routers || 'none'}. ${groups || 'No member is routed through it yet'}.`;
  });
}

export function layoutPicture(input: PictureInput): Picture {
  return input.layout === 'columns' ? columns(input) : stacked(input);
}

function columns(input: PictureInput): Picture {
  const { advertised, names } = input;
  // Routers in order of the first prefix they serve, primaries first: fewer crossing curves.
  const routerOrder: RouterView[] = [];
  const seen = new Set<string>();
  for (const prefix of advertised) {
    const ordered = [...prefix.routers].sort(
      (a, b) => Number(b.primary) - Number(a.primary) || a.metric - b.metric,
    );
    for (const router of ordered) {
      if (seen.has(router.member)) continue;
      seen.add(router.member);
      routerOrder.push(router);
    }
  }
  const groups = advertised.flatMap((p) => input.groups.filter((g) => g.prefix === p.prefix));
  const heights = [
    routerOrder.length * (ROUTER.h + GAP),
    advertised.length * (PREFIX.h + GAP),
    groups.length * (MEMBERS.h + GAP),
  ];
  const height = Math.max(...heights, PREFIX.h + GAP) - GAP + 2 * MARGIN;
  const x = [MARGIN, MARGIN + ROUTER.w + COLUMN_GAP, MARGIN + ROUTER.w + PREFIX.w + 2 * COLUMN_GAP];
  const top = (column: number) => (height - (heights[column]! - GAP)) / 2;

  const nodes: PictureNode[] = [];
  const byId = new Map<string, PictureNode>();
  const add = (node: PictureNode) => {
    nodes.push(node);
    byId.set(node.id, node);
  };
  routerOrder.forEach((router, i) =>
    add({
      id: `router:${router.member}`,
      kind: 'router',
      x: x[0]!,
      y: top(0) + i * (ROUTER.h + GAP),
      w: ROUTER.w,
      h: ROUTER.h,
      title: names.get(router.member) ?? router.member,
      subtitle: router.health ?? 'no verdict yet',
      tone: routerTone(router),
    }),
  );
  advertised.forEach((prefix, i) =>
    add({
      id: `prefix:${prefix.prefix}`,
      kind: 'prefix',
      x: x[1]!,
      y: top(1) + i * (PREFIX.h + GAP),
      w: PREFIX.w,
      h: PREFIX.h,
      title: prefix.prefix,
      subtitle: `${prefix.steering === 'primary' ? 'one primary' : 'spread'} · ${plural(prefix.routers.length, 'router')}`,
      tone: 'prefix',
    }),
  );
  groups.forEach((group, i) =>
    add({ ...memberNode(group, names), x: x[2]!, y: top(2) + i * (MEMBERS.h + GAP) }),
  );

  const edges: PictureEdge[] = [];
  const link = (from: string, to: string, tone: EdgeTone) => {
    const a = byId.get(from);
    const b = byId.get(to);
    if (!a || !b) return;
    edges.push({
      id: `${from}>${to}`,
      from,
      to,
      tone,
      d: curve(a.x + a.w, a.y + a.h / 2, b.x, b.y + b.h / 2, false),
    });
  };
  for (const prefix of advertised) {
    for (const router of prefix.routers)
      link(`router:${router.member}`, `prefix:${prefix.prefix}`, edgeTone(router, prefix.steering));
  }
  for (const group of groups)
    link(`prefix:${group.prefix}`, `members:${group.prefix}:${group.router}`, 'members');
  return {
    width: x[2]! + MEMBERS.w + MARGIN,
    height,
    nodes,
    edges,
    summary: summaryOf(input),
  };
}

function stacked(input: PictureInput): Picture {
  const { names } = input;
  // Boxes in one column on the left; edges run in lanes on their right (routers down to the
  // prefix) and on their left (the prefix down to its member groups), never across a box.
  const LANE = 8;
  const lanes = Math.max(1, ...input.advertised.map((p) => p.routers.length));
  const left = MARGIN + LANE;
  const boxWidth = Math.max(ROUTER.w, PREFIX.w, MEMBERS.w);
  const width = left + boxWidth + 12 + lanes * LANE + MARGIN;
  const nodes: PictureNode[] = [];
  const edges: PictureEdge[] = [];
  const LEVEL_GAP = 40;
  let y = MARGIN;
  for (const prefix of input.advertised) {
    const routerNodes = prefix.routers.map((router): PictureNode => {
      const node: PictureNode = {
        // A router serving two prefixes is drawn in each section: ids name both.
        id: `router:${router.member}@${prefix.prefix}`,
        kind: 'router',
        x: left,
        y,
        w: boxWidth,
        h: ROUTER.h,
        title: names.get(router.member) ?? router.member,
        subtitle: router.health ?? 'no verdict yet',
        tone: routerTone(router),
      };
      y += ROUTER.h + GAP / 2;
      return node;
    });
    y += LEVEL_GAP;
    const prefixNode: PictureNode = {
      id: `prefix:${prefix.prefix}`,
      kind: 'prefix',
      x: left,
      y,
      w: boxWidth,
      h: PREFIX.h,
      title: prefix.prefix,
      subtitle: `${prefix.steering === 'primary' ? 'one primary' : 'spread'} · ${plural(prefix.routers.length, 'router')}`,
      tone: 'prefix',
    };
    y += PREFIX.h + LEVEL_GAP;
    prefix.routers.forEach((router, i) => {
      const from = routerNodes[i]!;
      const lane = left + boxWidth + 12 + i * LANE;
      const entry = prefixNode.x + prefixNode.w - 24 - i * 14;
      const turn = prefixNode.y - 12 - i * 6;
      edges.push({
        id: `${from.id}>${prefixNode.id}`,
        from: from.id,
        to: prefixNode.id,
        tone: edgeTone(router, prefix.steering),
        d: `M${from.x + from.w},${from.y + from.h / 2} H${lane} V${turn} H${entry} V${prefixNode.y}`,
      });
    });
    nodes.push(...routerNodes, prefixNode);
    const groups = input.groups.filter((g) => g.prefix === prefix.prefix);
    groups.forEach((group, i) => {
      const node: PictureNode = { ...memberNode(group, names), x: left, y, w: boxWidth };
      nodes.push(node);
      const d =
        i === 0
          ? `M${prefixNode.x + prefixNode.w / 2},${prefixNode.y + prefixNode.h} V${node.y}`
          : `M${prefixNode.x},${prefixNode.y + prefixNode.h / 2} H${MARGIN} V${node.y + node.h / 2} H${node.x}`;
      edges.push({ id: `${prefixNode.id}>${node.id}`, from: prefixNode.id, to: node.id, tone: 'members', d });
      y += MEMBERS.h + GAP / 2;
    });
    y += LEVEL_GAP;
  }
  return {
    width,
    height: Math.max(y - LEVEL_GAP + MARGIN, 2 * MARGIN),
    nodes,
    edges,
    summary: summaryOf(input),
  };
}
