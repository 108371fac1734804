// Advertised routes, normalised and sorted into canonical order, and who gets which. Members listed
// in exactly the same advertisements share a "class" (a small number), so the planner builds one
// route list per class instead of one per member. Classes are found by walking a transition table
// (class, entry) → class, which costs one map lookup per listed member instead of building a
// string key for each of 100,000 members.

import { invalidField } from '../errors.ts';
import { isPrefixError, parsePrefix } from '../cidr/prefix.ts';
import { compareRoutes, makeRoute, type RouteItem } from './route-item.ts';
import { parseVia } from './network-routes.ts';
import type { AdvertisedRoute } from './route-types.ts';

export interface AdvertisedEntry {
  item: RouteItem;
  /** Null: every member. */
  members: readonly string[] | null;
  /** With members null: who does not get it. */
  except: readonly string[] | null;
}

/** The class of members with no member-specific routes. */
export const NO_CLASS = 0;

function normalise(advertised: readonly AdvertisedRoute[]): AdvertisedEntry[] {
  const entries = advertised.map((a, i): AdvertisedEntry => {
    const prefix = typeof a.prefix === 'string' ? parsePrefix(a.prefix) : { error: 'expected a CIDR string' };
    if (isPrefixError(prefix)) throw invalidField(`advertised[${i}].prefix`, prefix.error);
    const via = parseVia(a.via, prefix, `advertised[${i}].via`);
    if (!via) throw invalidField(`advertised[${i}].via`, 'an advertised route needs the router IP as via');
    const members = a.forMembers === undefined || a.forMembers === 'all' ? null : a.forMembers;
    if (members !== null && a.exceptMembers !== undefined && a.exceptMembers.length > 0) {
      throw invalidField(
        `advertised[${i}].exceptMembers`,
        'only a route for all members can leave members out',
      );
    }
    const except = members === null && a.exceptMembers && a.exceptMembers.length > 0 ? a.exceptMembers : null;
    return { item: makeRoute(prefix, via, 'advertised', a.owner), members, except };
  });
  return entries.sort((x, y) => compareRoutes(x.item, y.item));
}

function sameSpecific(a: readonly AdvertisedEntry[], b: readonly AdvertisedEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.item.key !== y.item.key || x.item.route.owner !== y.item.route.owner) return false;
    if (
      x.members !== y.members &&
      (x.members!.length !== y.members!.length || x.members!.some((m, j) => m !== y.members![j]))
    ) {
      return false;
    }
  }
  return true;
}

/** Same member-specific routes in the same order (keys and owners), audiences aside. */
function sameRoutes(a: readonly AdvertisedEntry[], b: readonly AdvertisedEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.item.key !== b[i]!.item.key || a[i]!.item.route.owner !== b[i]!.item.route.owner) return false;
  }
  return true;
}

/** The class reached from NO_CLASS along `entries` (ascending), adding classes as needed. */
function walk(
  entries: readonly number[],
  classEntries: number[][],
  transitions: Map<number, number>,
): number {
  let at = NO_CLASS;
  for (const index of entries) {
    const step = at * 1_048_576 + index;
    let to = transitions.get(step);
    if (to === undefined) {
      to = classEntries.length;
      classEntries.push([...classEntries[at]!, index]);
      transitions.set(step, to);
    }
    at = to;
  }
  return at;
}

function patchClasses(previous: AdvertisedIndex, specific: readonly AdvertisedEntry[]) {
  const changed: number[] = [];
  const audiences = new Map<number, Set<string>>();
  const affected = new Set<string>();
  specific.forEach((entry, index) => {
    const before = previous.specific[index]!.members!;
    const after = entry.members!;
    if (before === after || (before.length === after.length && before.every((m, j) => m === after[j])))
      return;
    changed.push(index);
    const now = new Set(after);
    const was = new Set(before);
    audiences.set(index, now);
    for (const m of now) if (!was.has(m)) affected.add(m);
    for (const m of was) if (!now.has(m)) affected.add(m);
  });
  const classOf = new Map<string, number>();
  const classEntries = previous.classEntries.map((entries) => entries as number[]);
  const transitions = new Map(AdvertisedIndex.internals(previous).transitions);
  const changedSet = new Set(changed);
  const sizes = [...previous.classSizes];
  for (const address of affected) {
    const from = previous.classOf.get(address) ?? NO_CLASS;
    const kept = classEntries[from]!.filter((i) => !changedSet.has(i));
    for (const index of changed) if (audiences.get(index)!.has(address)) kept.push(index);
    kept.sort((x, y) => x - y);
    const to = walk(kept, classEntries, transitions);
    classOf.set(address, to);
    sizes[from] = (sizes[from] ?? 0) - 1;
    sizes[to] = (sizes[to] ?? 0) + 1;
  }
  return {
    classOf: ClassOverlay.over(previous.classOf, classOf),
    classEntries,
    transitions,
    reclassified: [...affected],
    classSizes: Array.from(classEntries, (_, i) => sizes[i] ?? 0),
  };
}

/** Member → class lookups; absent means NO_CLASS. */
export interface ClassLookup {
  get(address: string): number | undefined;
  /** Every (member, class) pair with a class other than NO_CLASS. */
  entries(): Iterable<[string, number]>;
}

/**
 * A few members re-classed on top of an earlier lookup, so a one-member audience change does not
 * copy 100,000 entries. Chains are flattened into one map once they grow deep.
 */
class ClassOverlay implements ClassLookup {
  private constructor(
    private readonly base: ClassLookup,
    private readonly changes: ReadonlyMap<string, number>,
    readonly depth: number,
  ) {}

  static over(base: ClassLookup, changes: ReadonlyMap<string, number>): ClassLookup {
    const depth = base instanceof ClassOverlay ? base.depth + 1 : 1;
    const overlay = new ClassOverlay(base, changes, depth);
    return depth > 8 ? new MapLookup(new Map(overlay.entries())) : overlay;
  }

  get(address: string): number | undefined {
    const changed = this.changes.get(address);
    if (changed !== undefined) return changed === NO_CLASS ? undefined : changed;
    return this.base.get(address);
  }

  *entries(): Iterable<[string, number]> {
    for (const [address, id] of this.base.entries()) if (!this.changes.has(address)) yield [address, id];
    for (const [address, id] of this.changes) if (id !== NO_CLASS) yield [address, id];
  }
}

class MapLookup implements ClassLookup {
  constructor(private readonly map: ReadonlyMap<string, number>) {}
  get(address: string): number | undefined {
    return this.map.get(address);
  }
  entries(): Iterable<[string, number]> {
    return this.map.entries();
  }
}

export class AdvertisedIndex {
  /** Canonical order (prefix, via, owner). */
  readonly entries: AdvertisedEntry[];
  /** Entries every member gets. */
  readonly common: RouteItem[];
  /** Entries for listed members only; classes refer to these indices. */
  readonly specific: AdvertisedEntry[];
  /** Member address → class; absent means NO_CLASS. */
  readonly classOf: ClassLookup;
  /** Class → its specific entry indices, ascending. */
  readonly classEntries: ReadonlyArray<readonly number[]>;
  /**
   * Set when this index was patched from `previous` (only some entries' member lists changed): the
   * members whose class may differ, so the planner patches class totals instead of recounting.
   */
  readonly reclassified: readonly string[] | undefined;
  /** Listed addresses per class (index: class id); classes left empty by patches stay, at 0. */
  readonly classSizes: readonly number[];
  /** (class, entry) → class steps taken so far; patched indexes extend their predecessor's. */
  private readonly transitions: Map<number, number>;
  /** Every via IP of an advertised route, as a number (IPv4) or bigint (IPv6) value. */
  readonly vias = new Set<number | bigint>();
  /** Member → keys of the routes for all that it is left out of, sorted and joined by newlines. */
  readonly exclusions: ReadonlyMap<string, string>;
  /** Keys of routes for all that leave some members out (never merged away by aggregation). */
  readonly excludingKeys: readonly string[];
  private readonly byClass = new Map<number, RouteItem[]>();

  /** `previous`: an index whose member-specific entries may be reused when they did not change. */
  constructor(advertised: readonly AdvertisedRoute[], previous?: AdvertisedIndex) {
    this.entries = normalise(advertised);
    this.common = this.entries.filter((e) => e.members === null).map((e) => e.item);
    this.specific = this.entries.filter((e) => e.members !== null);
    for (const e of this.entries)
      this.vias.add(e.item.via!.family === 4 ? Number(e.item.via!.value) : e.item.via!.value);
    const excluded = new Map<string, string[]>();
    const excludingKeys: string[] = [];
    for (const e of this.entries) {
      if (!e.except) continue;
      excludingKeys.push(e.item.key);
      for (const address of e.except) {
        const list = excluded.get(address) ?? [];
        if (!list.includes(e.item.key)) list.push(e.item.key);
        excluded.set(address, list);
      }
    }
    this.exclusions = new Map([...excluded].map(([address, keys]) => [address, keys.sort().join('\n')]));
    this.excludingKeys = excludingKeys;
    if (previous && sameSpecific(previous.specific, this.specific)) {
      this.classOf = previous.classOf;
      this.classEntries = previous.classEntries;
      this.byClass = previous.byClass;
      this.transitions = previous.transitions;
      this.classSizes = previous.classSizes;
      this.reclassified = [];
      return;
    }
    if (previous && sameRoutes(previous.specific, this.specific)) {
      // Same routes, some audiences changed: re-class only the members added to or removed from them.
      const patched = patchClasses(previous, this.specific);
      this.classOf = patched.classOf;
      this.classEntries = patched.classEntries;
      this.transitions = patched.transitions;
      this.classSizes = patched.classSizes;
      this.reclassified = patched.reclassified;
      return;
    }
    this.reclassified = undefined;
    const classOf = new Map<string, number>();
    const classEntries: number[][] = [[]];
    const transitions = new Map<number, number>();
    this.specific.forEach((entry, index) => {
      for (const address of entry.members!) {
        const from = classOf.get(address) ?? NO_CLASS;
        const step = from * 1_048_576 + index; // entries < 2^20, classes < 2^33: exact in a double
        let to = transitions.get(step);
        if (to === undefined) {
          const list = classEntries[from]!;
          if (list[list.length - 1] === index) continue; // the address is listed twice
          to = classEntries.length;
          classEntries.push([...list, index]);
          transitions.set(step, to);
        }
        classOf.set(address, to);
      }
    });
    this.classOf = new MapLookup(classOf);
    this.classEntries = classEntries;
    this.transitions = transitions;
    const sizes = new Array<number>(classEntries.length).fill(0);
    for (const id of classOf.values()) sizes[id]!++;
    this.classSizes = sizes;
  }

  /** Whether some listed address has this class (patches leave emptied classes behind). */
  isLive(classId: number): boolean {
    return classId === NO_CLASS || (this.classSizes[classId] ?? 0) > 0;
  }

  /** For patching: the previous index's internals. */
  static internals(index: AdvertisedIndex) {
    return { transitions: index.transitions };
  }

  /** The member-specific routes of a class, in canonical order. */
  routesOfClass(classId: number): RouteItem[] {
    if (classId === NO_CLASS) return [];
    let list = this.byClass.get(classId);
    if (!list) {
      list = this.classEntries[classId]!.map((i) => this.specific[i]!.item);
      this.byClass.set(classId, list);
    }
    return list;
  }

  /** Orders classes by their entries, independent of the numbering (which follows input order). */
  compareClasses = (a: number, b: number): number => {
    const x = this.classEntries[a]!;
    const y = this.classEntries[b]!;
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  };
}
