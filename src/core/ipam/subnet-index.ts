// The subnets of an IPAM, parsed once and indexed by id, by prefix, by parent and in a prefix trie.
// Every plan function starts from one of these, so all of them read the stored rows the same way.

import { ErrorCodes, invalidField, RpError } from '../errors.ts';
import { formatPrefix, isPrefixError, parsePrefix, type Prefix } from '../cidr/prefix.ts';
import { comparePrefixes } from '../cidr/prefix-order.ts';
import { PrefixTrie } from '../cidr/prefix-trie.ts';
import type { IpamSubnet } from './ipam-types.ts';

export interface IndexedSubnet {
  subnet: IpamSubnet;
  prefix: Prefix;
}

/** A prefix from a request: strict CIDR (host bits zero), else INVALID_INPUT naming the field. */
export function parseSubnetPrefix(text: unknown, field: string): Prefix {
  if (typeof text !== 'string')
    throw invalidField(field, `expected a CIDR string like 10.1.2.0/24, got ${typeof text}`);
  const parsed = parsePrefix(text);
  if (isPrefixError(parsed)) throw invalidField(field, parsed.error);
  return parsed;
}

/** `10.1.2.0/24 ("servers")`, for messages. */
export function describeSubnet(s: IpamSubnet): string {
  return s.name === '' ? s.prefix : `${s.prefix} (${JSON.stringify(s.name)})`;
}

/** Lists prefixes for a message, at most `max` of them. */
export function listPrefixes(subnets: readonly IpamSubnet[], max = 10): string {
  const shown = subnets
    .slice(0, max)
    .map((s) => s.prefix)
    .join(', ');
  return subnets.length > max ? `${shown} and ${subnets.length - max} more` : shown;
}

export class SubnetIndex {
  readonly byId = new Map<string, IndexedSubnet>();
  readonly byPrefix = new Map<string, IndexedSubnet>();
  readonly trie = new PrefixTrie<IndexedSubnet>();
  private children: Map<string | null, IndexedSubnet[]> | undefined;

  constructor(readonly subnets: readonly IpamSubnet[]) {
    for (const subnet of subnets) {
      const parsed = parsePrefix(subnet.prefix);
      // Stored rows were validated on the way in; a bad one is a bug or a hand-edited database.
      if (isPrefixError(parsed)) {
        throw new RpError(ErrorCodes.INTERNAL, `stored IPAM subnet ${subnet.id}: ${parsed.error}`);
      }
      const item = { subnet, prefix: parsed };
      this.byId.set(subnet.id, item);
      this.byPrefix.set(formatPrefix(parsed), item);
      this.trie.set(parsed, item);
    }
  }

  /** Direct children of a subnet (null: the roots), in canonical prefix order. */
  childrenOf(id: string | null): IndexedSubnet[] {
    if (!this.children) {
      this.children = new Map();
      for (const item of this.byId.values()) {
        const key = item.subnet.parentId ?? null;
        const list = this.children.get(key);
        if (list) list.push(item);
        else this.children.set(key, [item]);
      }
      for (const list of this.children.values()) list.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
    }
    return this.children.get(id) ?? [];
  }

  /** All subnets strictly below `id`, in canonical prefix order. */
  descendantsOf(id: string): IndexedSubnet[] {
    const out: IndexedSubnet[] = [];
    const visit = (parent: string) => {
      for (const child of this.childrenOf(parent)) {
        out.push(child);
        visit(child.subnet.id);
      }
    };
    visit(id);
    return out.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
  }

  /** The smallest subnet strictly containing `prefix`, skipping the subnet `skipId`. */
  smallestContaining(prefix: Prefix, skipId?: string): IndexedSubnet | undefined {
    const chain = this.trie.ancestors(prefix, false);
    for (let i = chain.length - 1; i >= 0; i--) {
      const item = chain[i]!.value;
      if (item.subnet.id !== skipId) return item;
    }
    return undefined;
  }

  /** A parent reference from a request: an id, or else a prefix of an existing subnet. */
  resolveRef(ref: string, field: string): IndexedSubnet {
    const byId = this.byId.get(ref);
    if (byId) return byId;
    const parsed = parsePrefix(ref);
    const byPrefix = isPrefixError(parsed) ? undefined : this.byPrefix.get(formatPrefix(parsed));
    if (byPrefix) return byPrefix;
    throw invalidField(field, `no IPAM subnet has id or prefix ${JSON.stringify(ref)}`);
  }
}
