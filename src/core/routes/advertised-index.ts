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

export class AdvertisedIndex {
  /** Canonical order (prefix, via, owner). */
  readonly entries: AdvertisedEntry[];
  /** Entries every member gets. */
  readonly common: RouteItem[];
  /** Entries for listed members only; classes refer to these indices. */
  readonly specific: AdvertisedEntry[];
  /** Member address → class; absent means NO_CLASS. */
  readonly classOf: ReadonlyMap<string, number>;
  /** Class → its specific entry indices, ascending. */
  readonly classEntries: ReadonlyArray<readonly number[]>;
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
      return;
    }
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
    this.classOf = classOf;
    this.classEntries = classEntries;
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
