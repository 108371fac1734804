// A path-compressed binary trie from prefixes to values, one tree per family. Longest-prefix match,
// ancestors and descendants walk one root-to-leaf path, so a lookup costs O(depth) rather than
// O(prefixes). Tailscale's net/art was read for ideas; this is a plain radix (PATRICIA-style) tree,
// which is simpler and fast enough for the few thousand prefixes a controller holds.

import { familyBits, type IpFamily } from './ip.ts';
import type { Prefix } from './prefix.ts';

export interface TrieEntry<V> {
  prefix: Prefix;
  value: V;
}

interface FamilyTables {
  width: number;
  /** masks[b]: top b bits set. */
  masks: bigint[];
  /** branch[b]: the bit right after a b-bit prefix, which picks the child (b < width). */
  branch: bigint[];
}

function tables(family: IpFamily): FamilyTables {
  const width = familyBits(family);
  const all = (1n << BigInt(width)) - 1n;
  const masks: bigint[] = [];
  const branch: bigint[] = [];
  for (let b = 0; b <= width; b++) {
    masks.push(all ^ ((1n << BigInt(width - b)) - 1n));
    branch.push(b < width ? 1n << BigInt(width - b - 1) : 0n);
  }
  return { width, masks, branch };
}

// Precomputed once: the lookup loop then costs two bigint ANDs and two compares per node.
const TABLES: Record<IpFamily, FamilyTables> = { 4: tables(4), 6: tables(6) };

class TrieNode<V> {
  left: TrieNode<V> | null = null;
  right: TrieNode<V> | null = null;
  /** Set when the node holds an entry; glue nodes (pure branch points) have none. */
  entry: TrieEntry<V> | undefined;

  constructor(
    /** Network address of the node's prefix (host bits zero). */
    readonly value: bigint,
    readonly bits: number,
    entry?: TrieEntry<V>,
  ) {
    this.entry = entry;
  }
}

/** Number of leading bits `a` and `b` share, at most `limit`. */
function commonBits(t: FamilyTables, a: bigint, b: bigint, limit: number): number {
  const diff = a ^ b;
  if (diff === 0n) return limit;
  const lead = t.width - diff.toString(2).length;
  return lead < limit ? lead : limit;
}

function childOf<V>(t: FamilyTables, node: TrieNode<V>, value: bigint): TrieNode<V> | null {
  return (value & t.branch[node.bits]!) === 0n ? node.left : node.right;
}

function setChild<V>(t: FamilyTables, node: TrieNode<V>, child: TrieNode<V> | null, value: bigint): void {
  if ((value & t.branch[node.bits]!) === 0n) node.left = child;
  else node.right = child;
}

/** Pre-order: a node, then its 0-side, then its 1-side — exactly the canonical prefix order. */
function* walk<V>(node: TrieNode<V> | null): Generator<TrieEntry<V>> {
  const stack: TrieNode<V>[] = [];
  if (node) stack.push(node);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.entry) yield n.entry;
    if (n.right) stack.push(n.right);
    if (n.left) stack.push(n.left);
  }
}

export class PrefixTrie<V> implements Iterable<TrieEntry<V>> {
  private readonly roots: Record<IpFamily, TrieNode<V> | null> = { 4: null, 6: null };
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Inserts or replaces the value of exactly `prefix`. */
  set(prefix: Prefix, value: V): this {
    const t = TABLES[prefix.family];
    const entry: TrieEntry<V> = {
      prefix: { family: prefix.family, value: prefix.value, bits: prefix.bits },
      value,
    };
    let parent: TrieNode<V> | null = null;
    let node = this.roots[prefix.family];
    while (node) {
      const common = commonBits(t, node.value, prefix.value, Math.min(node.bits, prefix.bits));
      if (common === node.bits) {
        if (node.bits === prefix.bits) {
          if (!node.entry) this.count++;
          node.entry = entry;
          return this;
        }
        parent = node;
        node = childOf(t, node, prefix.value);
        continue;
      }
      // `node` is not an ancestor of the new prefix: put a new node above it.
      let above: TrieNode<V>;
      if (common === prefix.bits) {
        above = new TrieNode(prefix.value, prefix.bits, entry);
        setChild(t, above, node, node.value);
      } else {
        above = new TrieNode(prefix.value & t.masks[common]!, common);
        setChild(t, above, node, node.value);
        setChild(t, above, new TrieNode(prefix.value, prefix.bits, entry), prefix.value);
      }
      this.replace(prefix.family, parent, node, above);
      this.count++;
      return this;
    }
    const leaf = new TrieNode(prefix.value, prefix.bits, entry);
    if (parent) setChild(t, parent, leaf, prefix.value);
    else this.roots[prefix.family] = leaf;
    this.count++;
    return this;
  }

  get(prefix: Prefix): V | undefined {
    return this.find(prefix)?.entry?.value;
  }

  has(prefix: Prefix): boolean {
    return this.find(prefix)?.entry !== undefined;
  }

  /** Removes exactly `prefix`; true when it was present. Glue nodes left with one child are folded. */
  delete(prefix: Prefix): boolean {
    const t = TABLES[prefix.family];
    const path: TrieNode<V>[] = [];
    let node = this.roots[prefix.family];
    while (node && node.bits <= prefix.bits && (prefix.value & t.masks[node.bits]!) === node.value) {
      if (node.bits === prefix.bits) break;
      path.push(node);
      node = childOf(t, node, prefix.value);
    }
    if (!node || node.bits !== prefix.bits || node.value !== prefix.value || !node.entry) return false;
    node.entry = undefined;
    this.count--;
    const parent = path.pop() ?? null;
    if (node.left && node.right) return true; // still a branch point
    const only = node.left ?? node.right;
    this.replace(prefix.family, parent, node, only);
    // The parent may now be a glue node with a single child: fold it too.
    if (parent && !parent.entry && !(parent.left && parent.right)) {
      const grand = path.pop() ?? null;
      this.replace(prefix.family, grand, parent, parent.left ?? parent.right);
    }
    return true;
  }

  /** The longest stored prefix containing the address, or undefined. */
  longestMatch(family: IpFamily, ip: bigint): TrieEntry<V> | undefined {
    const t = TABLES[family];
    let best: TrieEntry<V> | undefined;
    let node = this.roots[family];
    while (node && (ip & t.masks[node.bits]!) === node.value) {
      if (node.entry) best = node.entry;
      if (node.bits === t.width) break;
      node = (ip & t.branch[node.bits]!) === 0n ? node.left : node.right;
    }
    return best;
  }

  /** Stored prefixes containing `prefix`, shortest first; itself included unless `inclusive` is false. */
  ancestors(prefix: Prefix, inclusive = true): TrieEntry<V>[] {
    const t = TABLES[prefix.family];
    const out: TrieEntry<V>[] = [];
    let node = this.roots[prefix.family];
    while (node && node.bits <= prefix.bits && (prefix.value & t.masks[node.bits]!) === node.value) {
      if (node.entry && (inclusive || node.bits < prefix.bits)) out.push(node.entry);
      if (node.bits === prefix.bits) break;
      node = childOf(t, node, prefix.value);
    }
    return out;
  }

  /** Stored prefixes inside `prefix`, in canonical order; itself included unless `inclusive` is false. */
  descendants(prefix: Prefix, inclusive = true): TrieEntry<V>[] {
    const t = TABLES[prefix.family];
    let node = this.roots[prefix.family];
    while (node && node.bits < prefix.bits) {
      if ((prefix.value & t.masks[node.bits]!) !== node.value) return [];
      node = childOf(t, node, prefix.value);
    }
    if (!node || (node.value & t.masks[prefix.bits]!) !== prefix.value) return [];
    const out: TrieEntry<V>[] = [];
    for (const entry of walk(node)) {
      if (inclusive || entry.prefix.bits !== prefix.bits) out.push(entry);
    }
    return out;
  }

  /** All entries in canonical order: IPv4 then IPv6, by address, shorter prefix first. */
  *entries(): Generator<TrieEntry<V>> {
    yield* walk(this.roots[4]);
    yield* walk(this.roots[6]);
  }

  [Symbol.iterator](): Iterator<TrieEntry<V>> {
    return this.entries();
  }

  private find(prefix: Prefix): TrieNode<V> | undefined {
    const t = TABLES[prefix.family];
    let node = this.roots[prefix.family];
    while (node && node.bits <= prefix.bits && (prefix.value & t.masks[node.bits]!) === node.value) {
      if (node.bits === prefix.bits) return node.value === prefix.value ? node : undefined;
      node = childOf(t, node, prefix.value);
    }
    return undefined;
  }

  private replace(family: IpFamily, parent: TrieNode<V> | null, old: TrieNode<V>, next: TrieNode<V> | null) {
    if (!parent) this.roots[family] = next;
    else if (parent.left === old) parent.left = next;
    else parent.right = next;
  }
}
