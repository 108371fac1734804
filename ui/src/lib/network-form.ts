// The network settings form: text fields an operator can type quickly (one pool, route or
// auto-approver per line) to and from the API's JSON, and the diff between what was loaded and what
// was typed. Only changed fields are sent, so a save never overwrites what someone else changed
// meanwhile in another field, and the plan preview shows exactly the change.
import type { AutoApprover, LimitStrategy, NetworkJson, Pool, Route, Steering } from './api-types.ts';

export interface NetworkForm {
  name: string;
  private: boolean;
  autoAssign: boolean;
  /** `start-end` per line. */
  pools: string;
  /** Manual routes, `target` or `target via gateway` per line. */
  routes: string;
  /** Bound IPAM subnet prefix, '' for none. */
  ipamSubnet: string;
  routesFromIpam: boolean;
  ipamGateway: string;
  routeLimitStrategy: LimitStrategy;
  steering: Steering;
  failbackSeconds: string;
  /** `prefix: approver, approver` per line. */
  autoApprovers: string;
}

export interface NetworkBody {
  name?: string;
  private?: boolean;
  v4AssignMode?: { zt: boolean };
  ipAssignmentPools?: Pool[];
  routes?: Route[];
  ipamSubnet?: string | null;
  routesFromIpam?: boolean;
  ipamGateway?: string | null;
  routeLimitStrategy?: LimitStrategy;
  steering?: Steering;
  failbackAfter?: number;
  autoApprovers?: AutoApprover[];
}

export type FormField = keyof NetworkForm;

export interface FieldError {
  field: FormField;
  message: string;
}

export interface FieldChange {
  field: FormField;
  label: string;
  before: string;
  after: string;
}

export const FIELD_LABELS: Record<FormField, string> = {
  name: 'Name',
  private: 'Private (members need authorisation)',
  autoAssign: 'Assign IPv4 addresses from the pools',
  pools: 'Address pools',
  routes: 'Manual routes',
  ipamSubnet: 'IPAM subnet',
  routesFromIpam: 'Routes from IPAM',
  ipamGateway: 'IPAM gateway',
  routeLimitStrategy: 'Over 128 routes',
  steering: 'Steering',
  failbackSeconds: 'Failback after (s)',
  autoApprovers: 'Auto-approvers',
};

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

const poolText = (pools: readonly Pool[]) => pools.map((p) => `${p.ipRangeStart}-${p.ipRangeEnd}`).join('\n');
const routeText = (routes: readonly Route[]) =>
  routes.map((r) => (r.via === null ? r.target : `${r.target} via ${r.via}`)).join('\n');
const approverText = (rules: readonly AutoApprover[]) =>
  rules.map((r) => `${r.prefix}: ${r.approvers.join(', ')}`).join('\n');

export function emptyForm(): NetworkForm {
  return {
    name: '',
    private: true,
    autoAssign: true,
    pools: '',
    routes: '',
    ipamSubnet: '',
    routesFromIpam: false,
    ipamGateway: '',
    routeLimitStrategy: 'error',
    steering: 'primary',
    failbackSeconds: '30',
    autoApprovers: '',
  };
}

/** The form for a network; `manualRoutes` are its own routes (the JSON's `routes` include IPAM's). */
export function formOf(network: NetworkJson, manualRoutes: readonly Route[]): NetworkForm {
  return {
    name: network.name,
    private: network.private,
    autoAssign: network.v4AssignMode.zt,
    pools: poolText(network.ipAssignmentPools),
    routes: routeText(manualRoutes),
    ipamSubnet: network.ipamSubnet ?? '',
    routesFromIpam: network.routesFromIpam,
    ipamGateway: network.ipamGateway ?? '',
    routeLimitStrategy: network.routeLimitStrategy,
    steering: network.steering,
    failbackSeconds: String(network.failbackAfter / 1000),
    autoApprovers: approverText(network.autoApprovers),
  };
}

const IP_CHARS = /^[0-9a-fA-F:.]+$/;

function parsePools(text: string, errors: FieldError[]): Pool[] {
  const pools: Pool[] = [];
  for (const line of lines(text)) {
    const match = /^([0-9a-fA-F:.]+)\s*(?:-|–|\s)\s*([0-9a-fA-F:.]+)$/.exec(line);
    if (!match) {
      errors.push({ field: 'pools', message: `"${line}": expected start-end, e.g. 10.0.0.10-10.0.0.200` });
      continue;
    }
    pools.push({ ipRangeStart: match[1]!, ipRangeEnd: match[2]! });
  }
  return pools;
}

function parseRoutes(text: string, errors: FieldError[]): Route[] {
  const routes: Route[] = [];
  for (const line of lines(text)) {
    const match = /^(\S+\/\d{1,3})(?:\s+(?:via\s+)?(\S+))?$/.exec(line);
    if (!match || (match[2] !== undefined && !IP_CHARS.test(match[2]))) {
      errors.push({ field: 'routes', message: `"${line}": expected a CIDR, optionally "via <gateway>"` });
      continue;
    }
    routes.push({ target: match[1]!, via: match[2] ?? null });
  }
  return routes;
}

function parseApprovers(text: string, errors: FieldError[]): AutoApprover[] {
  const rules: AutoApprover[] = [];
  for (const line of lines(text)) {
    const match = /^(\S+\/\d{1,3})\s*:\s*(.+)$/.exec(line);
    const approvers = match?.[2]!.split(/[\s,]+/).filter(Boolean) ?? [];
    if (!match || approvers.length === 0) {
      errors.push({
        field: 'autoApprovers',
        message: `"${line}": expected "prefix: approver, …" (member addresses, names or tag:…)`,
      });
      continue;
    }
    rules.push({ prefix: match[1]!, approvers });
  }
  return rules;
}

/** The whole form as an API body, with what could not be read. */
export function bodyOf(form: NetworkForm): { body: Required<NetworkBody>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const failback = Number(form.failbackSeconds.trim());
  if (form.failbackSeconds.trim() === '' || !Number.isFinite(failback) || failback < 0) {
    errors.push({ field: 'failbackSeconds', message: 'expected a number of seconds, 0 or more' });
  }
  const gateway = form.ipamGateway.trim();
  if (gateway !== '' && !IP_CHARS.test(gateway)) {
    errors.push({ field: 'ipamGateway', message: `"${gateway}" is not an IP address` });
  }
  const body: Required<NetworkBody> = {
    name: form.name.trim(),
    private: form.private,
    v4AssignMode: { zt: form.autoAssign },
    ipAssignmentPools: parsePools(form.pools, errors),
    routes: parseRoutes(form.routes, errors),
    ipamSubnet: form.ipamSubnet === '' ? null : form.ipamSubnet,
    routesFromIpam: form.routesFromIpam,
    ipamGateway: gateway === '' ? null : gateway,
    routeLimitStrategy: form.routeLimitStrategy,
    steering: form.steering,
    failbackAfter: Math.round(failback * 1000),
    autoApprovers: parseApprovers(form.autoApprovers, errors),
  };
  return { body, errors };
}

/** Which body keys each form field writes. */
const BODY_KEYS: Record<FormField, keyof NetworkBody> = {
  name: 'name',
  private: 'private',
  autoAssign: 'v4AssignMode',
  pools: 'ipAssignmentPools',
  routes: 'routes',
  ipamSubnet: 'ipamSubnet',
  routesFromIpam: 'routesFromIpam',
  ipamGateway: 'ipamGateway',
  routeLimitStrategy: 'routeLimitStrategy',
  steering: 'steering',
  failbackSeconds: 'failbackAfter',
  autoApprovers: 'autoApprovers',
};

function shown(value: string | boolean): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return value.trim() === '' ? '(none)' : value.trim();
}

/** Only the fields that changed, as a body and as lines for the review; and any parse errors. */
export function changesOf(
  original: NetworkForm,
  edited: NetworkForm,
): { body: NetworkBody; changes: FieldChange[]; errors: FieldError[] } {
  const before = bodyOf(original).body;
  const { body: after, errors } = bodyOf(edited);
  const body: NetworkBody = {};
  const changes: FieldChange[] = [];
  for (const field of Object.keys(BODY_KEYS) as FormField[]) {
    const key = BODY_KEYS[field];
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    (body as Record<string, unknown>)[key] = after[key];
    changes.push({
      field,
      label: FIELD_LABELS[field],
      before: shown(original[field]),
      after: shown(edited[field]),
    });
  }
  return { body, changes, errors };
}

/** A create body: only what was filled in, so the controller's defaults apply to the rest. */
export function createBodyOf(form: NetworkForm): { body: NetworkBody; errors: FieldError[] } {
  const { body: full, errors } = bodyOf(form);
  const body: NetworkBody = { name: full.name, private: full.private };
  if (full.ipAssignmentPools.length > 0) {
    body.ipAssignmentPools = full.ipAssignmentPools;
    body.v4AssignMode = { zt: form.autoAssign };
  }
  if (full.routes.length > 0) body.routes = full.routes;
  if (full.ipamSubnet !== null) body.ipamSubnet = full.ipamSubnet;
  return { body, errors };
}
