// Registers the load generator's simulated members in the controller's SQLite file while the
// controller is stopped (not measured): each member authorized, with an IPv4 address, its identity
// and the version fields its requests will carry (so a request changes nothing and writes nothing),
// and its identity in `known_identity`, so the controller trusts it without the memory-hard check.
import { newMember } from '../../src/core/member/member-defaults.ts';
import type { MemberRecord } from '../../src/core/member/member-types.ts';
import type { Identity } from '../../src/protocol/identity.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { memberIp } from './populate.ts';

const MEMBERS_PER_TRANSACTION = 10_000;

/** The version a simulated member reports (clientRequestMetadata: 1.14.1, protocol 12). */
export const SWARM_VERSION = { major: 1, minor: 14, rev: 1, proto: 12 } as const;
/** The platform a simulated member reports (clientRequestMetadata's default). */
export const SWARM_OS_ARCH = 'linux/x86_64';

function swarmMember(networkId: string, identity: Identity, index: number, now: number): MemberRecord {
  return {
    ...newMember(networkId, identity.address, now),
    name: `load-${String(index).padStart(6, '0')}`,
    authorized: true,
    lastAuthorizedTime: now,
    lastAuthorizedCredentialType: 'api',
    ipAssignments: [memberIp(index)],
    revision: 1,
    identity: identity.toString(false),
    vMajor: SWARM_VERSION.major,
    vMinor: SWARM_VERSION.minor,
    vRev: SWARM_VERSION.rev,
    vProto: SWARM_VERSION.proto,
    osArch: SWARM_OS_ARCH,
  };
}

export async function populateSwarm(
  databaseFile: string,
  networkId: string,
  identities: readonly Identity[],
): Promise<void> {
  const store = await openSqliteStore({ file: databaseFile });
  try {
    const now = Date.now();
    for (let from = 0; from < identities.length; from += MEMBERS_PER_TRANSACTION) {
      const to = Math.min(identities.length, from + MEMBERS_PER_TRANSACTION);
      await store.transaction(async (tx) => {
        for (let index = from; index < to; index++) {
          const identity = identities[index]!;
          await tx.putMember(swarmMember(networkId, identity, index, now));
          await tx.rememberIdentity(identity.address, identity.toString(false), now);
        }
      });
    }
  } finally {
    await store.close();
  }
}
