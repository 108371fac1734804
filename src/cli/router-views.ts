// Human views of subnet routers and API tokens: who advertises which prefix, whether it is approved,
// healthy, the primary or eligible (and why not), and the named tokens a router can hold. Read as
// defensively as views.ts: a missing field shows as `-`, never a crash.
import { formatFields, formatTable, formatTime } from './output.ts';
import { objects, strings, text, type Json } from './views.ts';

// ---- routers -----------------------------------------------------------------------------------

/** `yes (api)`, `yes (autoApprovers[0] …)` or `no`. */
function approvedCell(view: Json): string {
  if (view.approved !== true) return 'no';
  return typeof view.approvedBy === 'string' && view.approvedBy !== '' ? `yes (${view.approvedBy})` : 'yes';
}

/** `yes`, or `no (why)`: an eligible router carries no reason worth showing. */
function eligibleCell(view: Json): string {
  if (view.eligible === true) return 'yes';
  return typeof view.reason === 'string' && view.reason !== '' ? `no (${view.reason})` : 'no';
}

/** `*` on the primary router of its prefix, `-` on every other. */
function primaryCell(view: Json): string {
  return view.primary === true ? '*' : '-';
}

export interface RouterTableColumns {
  /** A PREFIX column (several prefixes in one table). */
  prefix: boolean;
  /** A ROUTER column (several routers in one table). */
  router: boolean;
}

/**
 * One row per (router, prefix): via, metric, approval, health, primary marker and eligibility; in
 * spread steering also how many members are routed through the router.
 */
export function routerTable(views: readonly Json[], columns: RouterTableColumns): string {
  const spread = views.some((view) => typeof view.members === 'number');
  const headers = [
    ...(columns.prefix ? ['PREFIX'] : []),
    ...(columns.router ? ['ROUTER'] : []),
    'VIA',
    'METRIC',
    'APPROVED',
    'HEALTH',
    'PRIMARY',
    'ELIGIBLE',
    ...(spread ? ['MEMBERS'] : []),
  ];
  const rows = views.map((view) => [
    ...(columns.prefix ? [text(view.prefix, '?')] : []),
    ...(columns.router ? [text(view.member, '?')] : []),
    text(view.via),
    text(view.metric),
    approvedCell(view),
    text(view.health),
    primaryCell(view),
    eligibleCell(view),
    ...(spread ? [text(view.members)] : []),
  ]);
  return formatTable(headers, rows);
}

/** The selection of one advertised prefix: steering, primary and why, then its problems. */
function selectionLines(prefix: Json): string[] {
  const steering = text(prefix.steering);
  const message = text(prefix.message, '');
  let head: string;
  if (prefix.steering === 'primary') {
    head = typeof prefix.primary === 'string' ? `primary ${prefix.primary}` : 'no primary';
  } else {
    head = `${steering} steering`;
  }
  const lines = [message === '' ? head : `${head}: ${message}`];
  lines.push(...strings(prefix.problems).map((problem) => `problem: ${problem}`));
  return lines;
}

/**
 * The advertised part of `routes show <nwid>`: every router of every advertised prefix, then per
 * prefix how it was chosen. Empty when nothing is advertised (the report stays as it was).
 */
export function advertisedSection(value: unknown): string {
  const prefixes = objects(value);
  if (prefixes.length === 0) return '';
  const views = prefixes.flatMap((prefix) =>
    objects(prefix.routers).map((view) => ({ ...view, prefix: view.prefix ?? prefix.prefix })),
  );
  const table = views.length === 0 ? 'No routers.\n' : routerTable(views, { prefix: true, router: true });
  const fields = formatFields(
    prefixes.map((prefix) => [text(prefix.prefix, '?'), selectionLines(prefix)] as const),
  );
  return `${table}\n${fields}`;
}

function prefixCount(count: number): string {
  return `${count} ${count === 1 ? 'prefix' : 'prefixes'}`;
}

/** What `routes advertise` prints: what the router advertises now, and what waits for approval. */
export function advertiseResult(views: readonly Json[], nwid: string, address: string): string {
  const advertised = views.filter((view) => view.advertised === true);
  let summary: string;
  if (advertised.length === 0) {
    summary = `${address} advertises nothing in network ${nwid}`;
    if (views.length > 0) summary += ' (withdrawn prefixes need a new approval if advertised again)';
  } else {
    summary = `${address} advertises ${prefixCount(advertised.length)} in network ${nwid}`;
    const waiting = advertised.filter((view) => view.approved !== true);
    if (waiting.length > 0) {
      summary +=
        `; ${waiting.length} waiting for approval ` +
        `("routeplane routes approve ${nwid} ${address} <prefix>")`;
    }
  }
  if (views.length === 0) return `${summary}\n`;
  return `${summary}\n\n${routerTable(views, { prefix: true, router: false })}`;
}

/** What `routes approve|reject` prints: the decision, then the router's row for the prefix. */
export function approvalResult(view: Json, approve: boolean, nwid: string): string {
  const verb = approve ? 'approved' : 'rejected';
  const summary = `${verb} ${text(view.prefix, '?')} advertised by ${text(view.member, '?')} in network ${nwid}`;
  return `${summary}\n\n${routerTable([view], { prefix: true, router: true })}`;
}

/** What `routes drain [--undo]` prints: the router's state, then its rows. */
export function drainResult(
  views: readonly Json[],
  draining: boolean,
  nwid: string,
  address: string,
): string {
  const summary = draining
    ? `router ${address} is draining in network ${nwid}: members move off it as soon as another router is healthy`
    : `router ${address} is no longer draining in network ${nwid}`;
  if (views.length === 0) return `${summary}\n`;
  return `${summary}\n\n${routerTable(views, { prefix: true, router: false })}`;
}

// ---- tokens ------------------------------------------------------------------------------------

/** `member <addr> of network <nwid>`, or `full access` for a token with no scope. */
export function tokenScope(token: Json): string {
  if (typeof token.networkId === 'string' && typeof token.memberAddress === 'string') {
    return `member ${token.memberAddress} of network ${token.networkId}`;
  }
  return 'full access';
}

export function tokenTable(tokens: readonly Json[]): string {
  if (tokens.length === 0) {
    return 'No API tokens. Create one with "routeplane tokens create --name <name>".\n';
  }
  return formatTable(
    ['ID', 'NAME', 'SCOPE', 'CREATED', 'LAST USED'],
    tokens.map((token) => [
      text(token.id),
      text(token.name),
      tokenScope(token),
      formatTime(token.createdAt),
      formatTime(token.lastUsedAt),
    ]),
  );
}

/** What `tokens create` prints: the secret, clearly, once; then what it is for. */
export function tokenCreated(token: Json): string {
  const scoped = typeof token.memberAddress === 'string';
  const fields = formatFields([
    ['token', text(token.token, '?')],
    ['id', text(token.id)],
    ['name', text(token.name)],
    [
      'scope',
      scoped
        ? `${tokenScope(token)} (only its advertised, routes, heartbeat and variables)`
        : tokenScope(token),
    ],
    ['created', formatTime(token.createdAt)],
  ]);
  return (
    `${fields}\n` +
    'Save the token now: it is shown only this once (the controller keeps only its hash).\n' +
    'Use it with --token or ROUTEPLANE_TOKEN; revoke it with "routeplane tokens rm <id>".\n'
  );
}

/** What `tokens rm` prints. */
export function tokenRemoved(token: Json): string {
  return `revoked token ${text(token.name, '?')} (id ${text(token.id, '?')}, ${tokenScope(token)})\n`;
}
