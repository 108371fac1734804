// IPAM subnets: reads and the writes behind /api/v1/ipam. The tree logic is the pure core's
// (src/core/ipam); here each change runs as one write of the coordinator, which also re-plans every
// network that routes from IPAM, so a new child subnet reaches members as a route without anyone
// touching the network — and a change that would push a network over 128 routes is refused whole.
import { randomBytes } from 'node:crypto';
import { invalidField, notFound } from '../core/errors.ts';
import { parseSubnetCreate, parseSubnetPatch } from '../core/ipam/ipam-input.ts';
import type { IpamPlan } from '../core/ipam/ipam-types.ts';
import { planSubnetDelete, type ChildrenOnDelete } from '../core/ipam/subnet-delete.ts';
import { planSubnetInsert } from '../core/ipam/subnet-insert.ts';
import { subnetTree, type SubnetTreeNode } from '../core/ipam/subnet-tree.ts';
import { planSubnetUpdate } from '../core/ipam/subnet-update.ts';
import { isPrefixError, parsePrefix, formatPrefix } from '../core/cidr/prefix.ts';
import { comparePrefixTexts } from '../core/cidr/prefix-order.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';
import type { Store, StoredIpamSubnet, StoreTransaction } from '../store/store.ts';
import type { ChangeEvent } from './change-events.ts';
import type { Actor } from './controller-service.ts';
import type { NetworkRouting, RoutingScope } from './network-routing.ts';
import type { IpamSnapshot } from './routing-state.ts';

export interface IpamSubnetView {
  id: string;
  prefix: string;
  name: string;
  /** Id of the parent subnet (the smallest other subnet containing this one), or null for a root. */
  parent: string | null;
  parentPrefix: string | null;
  /** Networks whose `ipamSubnet` is this prefix. */
  networks: string[];
  createdAt: number;
  updatedAt: number;
}

export interface IpamDeleteResult {
  /** The subnets removed: the one asked for and, with children "delete", its descendants. */
  removed: IpamSubnetView[];
  /** Children handed to the removed subnet's parent (children "promote"). */
  reparented: IpamSubnetView[];
}

type WriteFn = <T>(
  fn: (tx: StoreTransaction, changes: ChangeEvent[], scope: RoutingScope) => Promise<T>,
) => Promise<T>;

export interface IpamServiceOptions {
  store: Store;
  routing: NetworkRouting;
  write: WriteFn;
  clock: () => number;
  newId?: () => string;
}

const CHILDREN_MODES: readonly ChildrenOnDelete[] = ['refuse', 'promote', 'delete'];

export function parseChildrenMode(value: unknown): ChildrenOnDelete {
  if (value === undefined || value === '') return 'refuse';
  if (typeof value === 'string' && (CHILDREN_MODES as readonly string[]).includes(value))
    return value as ChildrenOnDelete;
  throw invalidField(
    'children',
    `expected one of ${CHILDREN_MODES.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

function viewsOf(subnets: readonly StoredIpamSubnet[], networks: readonly NetworkRecord[]) {
  const byId = new Map(subnets.map((s) => [s.id, s] as const));
  const bound = new Map<string, string[]>();
  for (const network of networks) {
    if (network.ipamSubnet === null) continue;
    bound.set(network.ipamSubnet, [...(bound.get(network.ipamSubnet) ?? []), network.id]);
  }
  return (subnet: StoredIpamSubnet): IpamSubnetView => ({
    id: subnet.id,
    prefix: subnet.prefix,
    name: subnet.name,
    parent: subnet.parentId,
    parentPrefix: subnet.parentId === null ? null : (byId.get(subnet.parentId)?.prefix ?? null),
    networks: bound.get(subnet.prefix) ?? [],
    createdAt: subnet.createdAt,
    updatedAt: subnet.updatedAt,
  });
}

export class IpamService {
  private readonly newId: () => string;

  constructor(private readonly options: IpamServiceOptions) {
    this.newId = options.newId ?? (() => randomBytes(6).toString('hex'));
  }

  async list(): Promise<IpamSubnetView[]> {
    const ipam = await this.options.routing.state.ipamSnapshot(this.options.store);
    const view = viewsOf(ipam.subnets, await this.options.store.listNetworks());
    return [...ipam.subnets].sort((a, b) => comparePrefixTexts(a.prefix, b.prefix)).map(view);
  }

  async get(ref: string): Promise<IpamSubnetView> {
    const ipam = await this.options.routing.state.ipamSnapshot(this.options.store);
    const subnet = findSubnet(ipam, ref);
    return viewsOf(ipam.subnets, await this.options.store.listNetworks())(subnet);
  }

  /** The branch under `ref`, with how many assigned member IPs (all networks) lie in each subnet. */
  async tree(ref: string): Promise<SubnetTreeNode> {
    const { store } = this.options;
    const ipam = await this.options.routing.state.ipamSnapshot(store);
    const subnet = findSubnet(ipam, ref);
    const networks = await store.listNetworks();
    const ips: string[] = [];
    for (const network of networks) {
      for (const member of await store.listMemberRouteFacts(network.id)) ips.push(...member.ipAssignments);
    }
    const tree = subnetTree(ipam.subnets, subnet.id, ips);
    const bound = new Map<string, string>();
    for (const network of networks)
      if (network.ipamSubnet !== null) bound.set(network.ipamSubnet, network.id);
    const mark = (node: SubnetTreeNode): SubnetTreeNode => ({
      ...node,
      networkId: bound.get(node.prefix) ?? null,
      children: node.children.map(mark),
    });
    return mark(tree);
  }

  create(body: unknown, actor: Actor): Promise<IpamSubnetView> {
    const input = parseSubnetCreate(body);
    return this.change(actor, 'ipam.subnet-created', (subnets) =>
      planSubnetInsert(subnets, { id: this.newId(), ...input }),
    ).then((r) => r.subnet);
  }

  update(ref: string, body: unknown, actor: Actor): Promise<IpamSubnetView> {
    const patch = parseSubnetPatch(body);
    return this.change(actor, 'ipam.subnet-updated', (subnets, inUse, ipam) =>
      planSubnetUpdate(subnets, findSubnet(ipam, ref).id, patch, { inUse }),
    ).then((r) => r.subnet);
  }

  async remove(ref: string, children: ChildrenOnDelete, actor: Actor): Promise<IpamDeleteResult> {
    const result = await this.change(actor, 'ipam.subnet-deleted', (subnets, inUse, ipam) =>
      planSubnetDelete(subnets, findSubnet(ipam, ref).id, { children, inUse }),
    );
    return { removed: result.removed, reparented: result.reparented };
  }

  /** One IPAM write: plan with the core, store it, re-plan every network that routes from IPAM. */
  private change(
    actor: Actor,
    type: string,
    plan: (subnets: readonly StoredIpamSubnet[], inUse: Map<string, string>, ipam: IpamSnapshot) => IpamPlan,
  ): Promise<{ subnet: IpamSubnetView; removed: IpamSubnetView[]; reparented: IpamSubnetView[] }> {
    const { routing, clock } = this.options;
    return this.options.write(async (tx, changes, scope) => {
      const ipam = await routing.state.ipamIn(tx);
      const networks = await tx.listNetworks();
      const inUse = new Map<string, string>();
      for (const network of networks) {
        if (network.ipamSubnet !== null)
          inUse.set(network.ipamSubnet, `the ipamSubnet of network ${network.id}`);
      }
      const result = plan(ipam.subnets, inUse, ipam);
      const now = clock();
      const existing = new Map(ipam.subnets.map((s) => [s.id, s] as const));
      const stored = (s: {
        id: string;
        prefix: string;
        name: string;
        parentId: string | null;
      }): StoredIpamSubnet => ({
        id: s.id,
        prefix: s.prefix,
        name: s.name,
        parentId: s.parentId,
        createdAt: existing.get(s.id)?.createdAt ?? now,
        updatedAt: now,
      });
      const removed = new Set(result.removed);
      const rows = [...(removed.has(result.subnet.id) ? [] : [result.subnet]), ...result.reparented]
        .map(stored)
        .filter((row) => {
          const old = existing.get(row.id);
          return !old || old.prefix !== row.prefix || old.name !== row.name || old.parentId !== row.parentId;
        });
      if (rows.length === 0 && removed.size === 0) {
        const view = viewsOf(ipam.subnets, networks);
        return { subnet: view(existing.get(result.subnet.id)!), removed: [], reparented: [] };
      }
      if (removed.size > 0) await tx.deleteIpamSubnets([...removed]);
      if (rows.length > 0) await tx.putIpamSubnets(rows);
      const changed = new Map(rows.map((r) => [r.id, r] as const));
      const after = ipam.subnets
        .filter((s) => !removed.has(s.id))
        .map((s) => changed.get(s.id) ?? s)
        .concat(rows.filter((r) => !existing.has(r.id)));

      const subnet = changed.get(result.subnet.id) ?? existing.get(result.subnet.id)!;
      const why = `${type.replace('ipam.subnet-', 'IPAM subnet ')} ${subnet.prefix}`;
      const views = viewsOf(after, networks);
      const oldViews = viewsOf(ipam.subnets, networks);
      await tx.appendEvent({
        time: now,
        networkId: null,
        memberAddress: null,
        type,
        actor: actor.name,
        reason: why,
        data: {
          subnet: removed.has(subnet.id) ? oldViews(subnet) : views(subnet),
          removed: [...removed],
          reparented: rows.filter((r) => r.id !== subnet.id).map((r) => r.id),
        },
      });
      await this.replanNetworks(tx, changes, scope, networks, after, actor, why);
      scope.ipam = true;
      routing.state.setIpam(after);
      routing.handOver(scope);
      return {
        subnet: removed.has(subnet.id) ? oldViews(subnet) : views(subnet),
        removed: [...removed].map((id) => oldViews(existing.get(id)!)),
        reparented: rows.filter((r) => r.id !== subnet.id && existing.has(r.id)).map(views),
      };
    });
  }

  private async replanNetworks(
    tx: StoreTransaction,
    changes: ChangeEvent[],
    scope: RoutingScope,
    networks: readonly NetworkRecord[],
    after: readonly StoredIpamSubnet[],
    actor: Actor,
    why: string,
  ): Promise<void> {
    const { routing } = this.options;
    for (const network of networks) {
      if (network.ipamSubnet === null) continue;
      const base = await routing.basePlanner(tx, network);
      const next = routing.replan(scope, base, { ipam: after }, network.id, actor.name, why);
      const routesMoved = await routing.record(tx, scope, network.id, base, next, actor.name, why);
      if (!routesMoved) {
        routing.keep(scope, network.id, next);
        continue;
      }
      // Members must hear of it: a new revision makes every online member get a fresh config.
      const revision = network.revision + 1;
      await tx.putNetwork({ ...network, revision });
      routing.keep(scope, network.id, next, revision);
      routing.networkPlans.forget(network.id);
      changes.push({ kind: 'network-changed', networkId: network.id, revision });
    }
  }
}

function findSubnet(ipam: IpamSnapshot, ref: string): StoredIpamSubnet {
  const byId = ipam.subnets.find((s) => s.id === ref);
  if (byId) return byId;
  const prefix = parsePrefix(ref);
  const byPrefix = isPrefixError(prefix) ? undefined : ipam.byPrefix(formatPrefix(prefix));
  if (byPrefix) return byPrefix;
  throw notFound(`IPAM subnet ${ref}`);
}
