// Fills one network with many members through the store (SQLite or PostgreSQL) while the controller
// is stopped: much faster than the API. Records look like real ones: half authorized, each with its
// own IPv4 address, a name, an identity and version fields.
import { randomBytes } from 'node:crypto';
import { newMember } from '../../src/core/member/member-defaults.ts';
import type { MemberRecord } from '../../src/core/member/member-types.ts';
import { isMemberAddress } from '../../src/core/network/network-id.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';

/** The pool and managed route of the benchmark network; `memberIp` stays inside them. */
export const BENCH_NETWORK_BODY = {
  name: 'bench-100k',
  private: true,
  v4AssignMode: { zt: true },
  routes: [{ target: '10.0.0.0/8', via: null }],
  ipAssignmentPools: [{ ipRangeStart: '10.0.0.1', ipRangeEnd: '10.255.255.254' }],
};

/** Members per store transaction when populating. */
export const MEMBERS_PER_TRANSACTION = 10_000;
const HOSTS_PER_BLOCK = 254;

/** `count` distinct valid member addresses (10 hex digits, not zero, not `ff…`), random order. */
export function memberAddresses(count: number): string[] {
  const addresses = new Set<string>();
  while (addresses.size < count) {
    const bytes = randomBytes(5 * (count - addresses.size + 16));
    for (let i = 0; i + 5 <= bytes.length && addresses.size < count; i += 5) {
      const address = bytes.subarray(i, i + 5).toString('hex');
      if (isMemberAddress(address)) addresses.add(address);
    }
  }
  return [...addresses];
}

/** A distinct IPv4 address for member `index`, from 10.1.0.1 upwards, never a .0 or .255 host. */
export function memberIp(index: number): string {
  const block = Math.floor(index / HOSTS_PER_BLOCK) + 256; // start at 10.1.0.x
  return `10.${(block >> 8) & 0xff}.${block & 0xff}.${(index % HOSTS_PER_BLOCK) + 1}`;
}

function benchMember(networkId: string, address: string, index: number, now: number): MemberRecord {
  const member = newMember(networkId, address, now - index * 1000);
  const authorized = index % 2 === 0;
  return {
    ...member,
    name: `bench-member-${String(index).padStart(6, '0')}`,
    authorized,
    lastAuthorizedTime: authorized ? now - index * 500 : 0,
    ipAssignments: [memberIp(index)],
    revision: authorized ? 3 : 1,
    identity: `${address}:0:${randomBytes(64).toString('hex')}`,
    vMajor: 1,
    vMinor: 14,
    vRev: 1,
    vProto: 12,
    lastSeen: now - (index % 600) * 1000,
    physicalAddress: `198.51.100.${(index % 250) + 1}/${9993 + (index % 1000)}`,
  };
}

/**
 * Writes the members into the network (which must exist) through any store's own transaction API,
 * `perTransaction` members per transaction; `onProgress` hears how many are written so far.
 */
export async function populateStore(
  store: Store,
  networkId: string,
  addresses: readonly string[],
  perTransaction = MEMBERS_PER_TRANSACTION,
  onProgress?: (written: number) => void,
): Promise<void> {
  const now = Date.now();
  for (let from = 0; from < addresses.length; from += perTransaction) {
    const to = Math.min(addresses.length, from + perTransaction);
    await store.transaction(async (tx) => {
      for (let index = from; index < to; index++) {
        await tx.putMember(benchMember(networkId, addresses[index]!, index, now));
      }
    });
    onProgress?.(to);
  }
}

/** Writes the members into the network (which must exist) in the SQLite file, a few large transactions. */
export async function populateMembers(
  databaseFile: string,
  networkId: string,
  addresses: readonly string[],
): Promise<void> {
  const store = await openSqliteStore({ file: databaseFile });
  try {
    await populateStore(store, networkId, addresses);
  } finally {
    await store.close();
  }
}
