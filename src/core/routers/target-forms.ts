// Target forms: how a prefix is written when sent via the router holding slot s.
//
// ZeroTier One keys managed routes by target and ignores a via change on an existing target
// (ZeroTierOne #2339), so moving a member from one router to another must change the TARGET SET,
// not only the via. Slot s sends the prefix split into 2^s equal parts (slot 0: the prefix, 1: its
// halves, 2: quarters, 3: eighths). Forms of different depths share no target, so a member moved
// between two routers with different slots drops the old targets and installs new ones in a single
// push. Members also keep shallower routers' forms beneath their own (standby, router-selection.ts),
// so that push only adds routes or only removes the dead router's (FINDINGS §9). The cost is up to
// 8 routes per prefix on the 128-route budget, 15 with standby forms.

import { invalidField } from '../errors.ts';
import { familyBits } from '../cidr/ip.ts';
import { formatPrefix, isPrefixError, parsePrefix, type Prefix } from '../cidr/prefix.ts';
import { SLOT_COUNT } from './router-types.ts';

export interface TargetForm {
  /** Canonical CIDRs in address order; together they cover exactly the prefix, with no overlap. */
  targets: string[];
  /** How often the prefix was halved: `slot` when exact, less otherwise. */
  depth: number;
  /**
   * False when the prefix could not be split `slot` times: then this form may equal another slot's
   * form (same targets), so moving members between those two routers changes only the via and the
   * client would keep the old route; the caller must withdraw the routes in one push and add the
   * new ones in the next.
   */
  exact: boolean;
}

function checkSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
    throw invalidField('slot', `expected an integer within [0, ${SLOT_COUNT - 1}], got ${String(slot)}`);
  }
}

function mustPrefix(text: string): Prefix {
  const p = typeof text === 'string' ? parsePrefix(text) : { error: 'expected a CIDR string' };
  if (isPrefixError(p)) throw invalidField('prefix', p.error);
  return p;
}

/**
 * How far slot `slot` splits `p`. The default route is never split: the client accepts 0.0.0.0/0 and
 * ::/0 under allowDefault, but judges any other target by the scope of its first address, and
 * 0.0.0.0/1 (like ::/1) has scope NONE, which the client refuses (OneService checkIfManagedIsAllowed).
 * Otherwise as deep as the slot asks, but never past single addresses.
 */
export function splitDepth(p: Prefix, slot: number): number {
  checkSlot(slot);
  if (p.bits === 0) return 0;
  return Math.min(slot, familyBits(p.family) - p.bits);
}

export function targetsFor(prefix: string, slot: number): TargetForm {
  const p = mustPrefix(prefix);
  const depth = splitDepth(p, slot);
  const bits = p.bits + depth;
  const step = 1n << BigInt(familyBits(p.family) - bits);
  const targets: string[] = [];
  for (let i = 0n; i < 1n << BigInt(depth); i++) {
    targets.push(formatPrefix({ family: p.family, value: p.value + i * step, bits }));
  }
  return { targets, depth, exact: depth === slot };
}

/**
 * True when routers holding these two slots of `prefix` are sent disjoint target sets, so a member
 * moved between them follows in one push. All forms partition the same prefix, so they are disjoint
 * exactly when their depths differ.
 */
export function formsDisjoint(prefix: string, slotA: number, slotB: number): boolean {
  const p = mustPrefix(prefix);
  return splitDepth(p, slotA) !== splitDepth(p, slotB);
}
