// Human views of Routeplane's own API (`/api/v1`): IPAM subnets and their tree, a network's routes
// with where they come from, one member's routes, the preview of a change, and the event log. Read
// as defensively as views.ts: a missing field shows as `-`, never a crash.
import { formatFields, formatTable, formatTime } from './output.ts';
import { advertisedSection } from './router-views.ts';
import { isObject, objects, strings, text, type Json } from './views.ts';

// ---- IPAM --------------------------------------------------------------------------------------

/** `10.1.2.0/24 (group 2)`, or the prefix alone for an unnamed subnet. */
export function subnetLabel(subnet: Json): string {
  const name = typeof subnet.name === 'string' && subnet.name !== '' ? ` (${subnet.name})` : '';
  return `${text(subnet.prefix, '?')}${name}`;
}

export function subnetTable(subnets: readonly Json[]): string {
  if (subnets.length === 0) return 'No IPAM subnets. Add one with "routeplane ipam add <prefix>".\n';
  const rows = subnets.map((subnet) => [
    text(subnet.id),
    text(subnet.prefix),
    text(subnet.name),
    text(subnet.parentPrefix),
    strings(subnet.networks).join(', ') || '-',
  ]);
  return formatTable(['ID', 'PREFIX', 'NAME', 'PARENT', 'NETWORKS'], rows);
}

export function subnetDetails(subnet: Json): string {
  const parent =
    typeof subnet.parentPrefix === 'string'
      ? `${subnet.parentPrefix} (${text(subnet.parent)})`
      : 'none (a root subnet)';
  return formatFields([
    ['subnet', text(subnet.id)],
    ['prefix', text(subnet.prefix)],
    ['name', text(subnet.name)],
    ['parent', parent],
    ['networks', strings(subnet.networks)],
    ['created', formatTime(subnet.createdAt)],
    ['updated', formatTime(subnet.updatedAt)],
  ]);
}

/** What `ipam add` prints: the new subnet, its id and where it landed in the tree. */
export function subnetAdded(subnet: Json): string {
  const where = typeof subnet.parentPrefix === 'string' ? `under ${subnet.parentPrefix}` : 'as a root';
  return `added ${subnetLabel(subnet)} ${where}, id ${text(subnet.id)}`;
}

/** What `ipam rm` prints: every subnet removed and every child handed to the parent. */
export function subnetRemoved(result: Json): string {
  const removed = objects(result.removed);
  const reparented = objects(result.reparented);
  const lines = removed.map((subnet) => `deleted ${subnetLabel(subnet)}, id ${text(subnet.id)}`);
  for (const subnet of reparented) {
    const parent = typeof subnet.parentPrefix === 'string' ? subnet.parentPrefix : 'the top (now a root)';
    lines.push(`moved ${subnetLabel(subnet)} to ${parent}`);
  }
  return `${lines.length > 0 ? lines.join('\n') : 'nothing deleted'}\n`;
}

/** `0.39%`; `<0.01%` for a share too small to show; `0%` for none. */
export function formatPercent(ratio: unknown): string {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return '-';
  if (ratio === 0) return '0%';
  const percent = ratio * 100;
  if (percent < 0.01) return '<0.01%';
  return `${percent.toFixed(2).replace(/\.?0+$/, '')}%`;
}

/** `used/size`; sizes past 2^32 (IPv6) as `2^n`, which is what an operator reads anyway. */
export function formatUsage(utilisation: unknown): string {
  if (!isObject(utilisation)) return '-';
  const used = text(utilisation.used, '?');
  const size =
    typeof utilisation.sizeLog2 === 'number' && utilisation.sizeLog2 > 32
      ? `2^${utilisation.sizeLog2}`
      : text(utilisation.size, '?');
  return `${used}/${size}`;
}

/**
 * The branch as an indented table: the prefix column draws the tree, then name, used/size, share of
 * the subnet in use, and the network bound to the subnet.
 */
export function subnetTree(root: Json): string {
  const rows: string[][] = [];
  const walk = (node: Json, lead: string, branch: string) => {
    const utilisation = isObject(node.utilisation) ? node.utilisation : {};
    rows.push([
      `${lead}${branch}${text(node.prefix, '?')}`,
      text(node.name),
      formatUsage(utilisation),
      formatPercent(utilisation.ratio),
      text(node.networkId),
    ]);
    const children = objects(node.children);
    const next = lead + (branch === '' ? '' : branch === '├─ ' ? '│  ' : '   ');
    children.forEach((child, i) => walk(child, next, i === children.length - 1 ? '└─ ' : '├─ '));
  };
  walk(root, '', '');
  return formatTable(['PREFIX', 'NAME', 'USED', 'UTIL', 'NETWORK'], rows);
}

// ---- routes ------------------------------------------------------------------------------------

const via = (route: Json) => text(route.via);

function routeStatus(route: Json): string {
  if (route.status === 'aggregated' && typeof route.aggregatedInto === 'string') {
    return `aggregated into ${route.aggregatedInto}`;
  }
  const from = strings(route.aggregates);
  if (route.status === 'active' && from.length > 0) return `active (merges ${from.length})`;
  return text(route.status);
}

function plural(count: unknown, one: string, many = `${one}s`): string {
  return `${text(count, '?')} ${count === 1 ? one : many}`;
}

function problemLines(value: unknown): string[] {
  return objects(value).map((problem) => `${text(problem.code, '?')}: ${text(problem.message, '')}`);
}

/** `140 -> 128 routes: 10.1.0.0/23 <- 10.1.0.0/24, 10.1.1.0/24 …`, one line per merge. */
function aggregationLines(value: unknown): string[] {
  if (!isObject(value)) return [];
  const lines = [`${text(value.before, '?')} -> ${text(value.after, '?')} routes shared by all members`];
  const merge = (m: Json) =>
    `  ${text(m.into, '?')}${typeof m.via === 'string' ? ` via ${m.via}` : ''} <- ${strings(m.from).join(', ')}`;
  lines.push(...objects(value.merges).map(merge));
  for (const group of objects(value.perMember)) {
    lines.push(
      `${text(group.before, '?')} -> ${text(group.after, '?')} routes for ${plural(group.memberCount, 'member')}` +
        ` (${strings(group.members).slice(0, 5).join(', ')}${strings(group.members).length > 5 ? ' …' : ''})`,
    );
    lines.push(...objects(group.merges).map(merge));
  }
  return lines;
}

/**
 * `routes show <nwid>`: every route, then the limit, aggregation and problems, then (when members
 * advertise prefixes) every subnet router with its approval, health and selection.
 */
export function routesReport(report: Json): string {
  const routes = objects(report.routes);
  const table =
    routes.length === 0
      ? 'No routes.\n'
      : formatTable(
          ['TARGET', 'VIA', 'SOURCE', 'OWNER', 'STATUS', 'MEMBERS'],
          routes.map((route) => [
            text(route.target, '?'),
            via(route),
            text(route.source),
            text(route.owner),
            routeStatus(route),
            text(route.members),
          ]),
        );
  const fields = formatFields([
    ['network', text(report.networkId)],
    ['revision', text(report.revision)],
    ['limit', `${text(report.limit, '?')} routes per member, strategy ${text(report.routeLimitStrategy)}`],
    ['members', `${text(report.authorizedMembers, '?')} authorized`],
    ['aggregation', aggregationLines(report.aggregated)],
    ['problems', problemLines(report.problems)],
  ]);
  const advertised = advertisedSection(report.advertised);
  return advertised === '' ? `${table}\n${fields}` : `${table}\n${fields}\n${advertised}`;
}

/** `routes show <nwid> --member <addr>`: exactly the member's list, with the revisions it is of. */
export function memberRoutes(answer: Json, nwid: string, address: string): string {
  const routes = objects(answer.routes);
  const fields = formatFields([
    ['member', address],
    ['network', nwid],
    ['revision', `${text(answer.revision, '?')} (member revision ${text(answer.memberRevision, '?')})`],
    ['routes', `${routes.length}`],
  ]);
  if (routes.length === 0) return `${fields}\nThe member is sent no routes.\n`;
  const table = formatTable(
    ['TARGET', 'VIA', 'SOURCE'],
    routes.map((route) => [text(route.target, '?'), via(route), text(route.source)]),
  );
  return `${fields}\n${table}`;
}

// ---- plan --------------------------------------------------------------------------------------

interface PlanRow {
  change: 'add' | 'remove';
  route: Json;
  members: number;
}

/**
 * One row per route added or removed: network routes (what every member shares) and the routes
 * members gain or lose on their own, each with how many members it reaches.
 */
function planRows(preview: Json): PlanRow[] {
  const rows = new Map<string, PlanRow>();
  const key = (change: string, route: Json) => `${change} ${text(route.target)} ${text(route.via)}`;
  const note = (change: 'add' | 'remove', route: Json, members: number) => {
    const row = rows.get(key(change, route)) ?? { change, route, members: 0 };
    row.members += members;
    rows.set(key(change, route), row);
  };
  const network = isObject(preview.network) ? preview.network : {};
  for (const route of objects(network.added)) note('add', route, 0);
  for (const route of objects(network.removed)) note('remove', route, 0);
  for (const member of objects(preview.members)) {
    for (const route of objects(member.added)) note('add', route, 1);
    for (const route of objects(member.removed)) note('remove', route, 1);
  }
  return [...rows.values()];
}

/** `routes plan`: what an accepted change would add and remove, for how many members. */
export function planPreview(preview: Json, nwid: string): string {
  const rows = planRows(preview);
  const listed = objects(preview.members).length;
  const changed = typeof preview.membersChanged === 'number' ? preview.membersChanged : listed;
  // The API lists the first 1,000 changed members: past that the counts are lower bounds.
  const atLeast = changed > listed ? 'at least ' : '';
  const table =
    rows.length === 0
      ? 'No route would change.\n'
      : formatTable(
          ['CHANGE', 'TARGET', 'VIA', 'SOURCE', 'MEMBERS'],
          rows.map((row) => [
            row.change,
            text(row.route.target, '?'),
            via(row.route),
            text(row.route.source),
            row.members === 0 ? '0' : `${atLeast}${row.members}`,
          ]),
        );
  const fields = formatFields([
    ['network', nwid],
    ['outcome', `${text(preview.outcome)} (a preview: nothing was changed)`],
    [
      'members',
      `${text(preview.membersChanged, '?')} would change, ${text(preview.membersUnchanged, '?')} unchanged`,
    ],
    ['aggregation', aggregationLines(preview.aggregated)],
    ['problems', problemLines(preview.problems)],
  ]);
  return `${table}\n${fields}`;
}

// ---- events ------------------------------------------------------------------------------------

function eventSubject(event: Json): string {
  const network = typeof event.networkId === 'string' ? event.networkId : '';
  const member = typeof event.memberAddress === 'string' ? event.memberAddress : '';
  if (network !== '' && member !== '') return `${network}/${member}`;
  return network !== '' ? network : member !== '' ? member : '-';
}

/** One line per event, in the order given: time, id, type, network/member, actor, reason. */
export function eventTable(events: readonly Json[]): string {
  if (events.length === 0) return 'No events.\n';
  return formatTable(
    ['TIME', 'ID', 'TYPE', 'NETWORK/MEMBER', 'ACTOR', 'REASON'],
    events.map((event) => [
      formatTime(event.time),
      text(event.id),
      text(event.type),
      eventSubject(event),
      text(event.actor),
      text(event.reason).replace(/\s+/g, ' '),
    ]),
  );
}
