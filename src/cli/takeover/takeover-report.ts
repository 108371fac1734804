// What `routeplane import` prints: the figures of what it imports (or would, on a dry run), per
// network and in total, what it set aside, and the problems that stopped it.
import type { NetworkFigures, TakeoverPlan, TakeoverProblem } from '../../core/takeover/takeover-plan.ts';
import { formatFields, formatTable } from '../output.ts';
import type { SkippedEntry } from './filedb-reader.ts';

/** Problems listed at most; the count of the rest follows. */
const MAX_PROBLEMS_SHOWN = 50;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function dnsCell(figures: NetworkFigures): string {
  if (figures.dnsDomain === null) return '-';
  return `${figures.dnsDomain || '(no domain)'} (${plural(figures.dnsServers, 'server')})`;
}

export function formatNetworkTable(figures: readonly NetworkFigures[]): string {
  return formatTable(
    ['NETWORK', 'NAME', 'MEMBERS', 'AUTHORIZED', 'IPS', 'ROUTES', 'POOLS', 'RULES', 'TAGS', 'CAPS', 'DNS'],
    figures.map((f) => [
      f.id,
      f.name || '-',
      String(f.members),
      String(f.authorized),
      String(f.ipAssignments),
      String(f.routes),
      String(f.pools),
      String(f.rules),
      String(f.tags),
      String(f.capabilities),
      dnsCell(f),
    ]),
  );
}

export function formatTotals(plan: TakeoverPlan): string {
  const t = plan.totals;
  return formatFields([
    ['networks', String(t.networks)],
    ['members', `${t.members} (${t.authorized} authorized, ${t.members - t.authorized} not)`],
    ['IP assignments', String(t.ipAssignments)],
    ['routes', String(t.routes)],
    ['IP pools', String(t.pools)],
    ['rules', String(t.rules)],
    ['tags', `${t.tags} defined, ${plural(t.taggedMembers, 'member')} tagged`],
    ['capabilities', `${t.capabilities} defined, held by ${plural(t.membersWithCapabilities, 'member')}`],
    ['DNS', `${plural(t.dnsNetworks, 'network')}, ${plural(t.dnsServers, 'server')}`],
  ]);
}

export function formatSetAside(skipped: readonly SkippedEntry[], plan: TakeoverPlan): string {
  const lines: string[] = [];
  if (skipped.length > 0) {
    lines.push('Skipped (zerotier-one does not load these either):');
    for (const entry of skipped) lines.push(`  ${entry.path}: ${entry.reason}`);
  }
  if (plan.ignoredKeys.length > 0) {
    lines.push('Fields not imported (not part of the zerotier-one 1.14 format Routeplane keeps):');
    for (const { key, files } of plan.ignoredKeys) lines.push(`  ${key} (${plural(files, 'file')})`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** One line per problem, `path: field: message`, at most MAX_PROBLEMS_SHOWN of them. */
export function formatProblems(problems: readonly TakeoverProblem[]): string {
  const shown = problems
    .slice(0, MAX_PROBLEMS_SHOWN)
    .map((p) => `  ${p.path}: ${p.field === undefined ? '' : `${p.field}: `}${p.message}`);
  if (problems.length > MAX_PROBLEMS_SHOWN)
    shown.push(`  … and ${problems.length - MAX_PROBLEMS_SHOWN} more`);
  return shown.join('\n');
}

/** The summary for `--json`. */
export function reportJson(plan: TakeoverPlan, skipped: readonly SkippedEntry[]): Record<string, unknown> {
  return {
    totals: plan.totals,
    networks: plan.figures,
    skipped,
    ignoredFields: plan.ignoredKeys,
  };
}
