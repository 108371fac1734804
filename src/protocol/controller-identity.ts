// The controller identity is kept in the database (setting `controller.identity`) as well as in the
// data dir's identity.secret: every controller process on a shared PostgreSQL database must be the
// same ZeroTier node, since the address is the first ten hex digits of every network it serves.
// The database copy wins ties; a data dir holding a different identity is refused, never overwritten.
import type { Store } from '../store/store.ts';
import { Identity } from './identity.ts';
import { loadOrCreateIdentity, readIdentityFile, writeIdentityFiles } from './identity-file.ts';

export const IDENTITY_SETTING = 'controller.identity';

export interface ControllerIdentity {
  identity: Identity;
  /** A new identity was generated (first start anywhere). */
  created: boolean;
  /** identity.secret was readable by others and was chmod'ed to 0600. */
  repairedPermissions: boolean;
}

function parseStored(text: string): Identity {
  let identity: Identity;
  try {
    identity = Identity.parse(text);
  } catch (error) {
    throw new Error(
      `the database's ${IDENTITY_SETTING} is not a valid identity: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!identity.hasPrivate() || !identity.locallyValidate())
    throw new Error(
      `the database's ${IDENTITY_SETTING} (${identity.address}) lacks its private key or does not validate`,
    );
  return identity;
}

function conflict(dataDir: string, file: Identity, stored: Identity): Error {
  return new Error(
    `${dataDir}/identity.secret holds controller ${file.address} but the database belongs to controller ` +
      `${stored.address}; move one of them aside (or import with --force) so one identity remains`,
  );
}

export async function loadControllerIdentity(dataDir: string, store: Store): Promise<ControllerIdentity> {
  const stored = await store.getSetting(IDENTITY_SETTING);
  if (stored !== undefined) {
    const identity = parseStored(stored);
    const file = await readIdentityFile(dataDir);
    if (file === undefined) await writeIdentityFiles(dataDir, identity);
    else if (file.toString(true) !== identity.toString(true)) throw conflict(dataDir, file, identity);
    return { identity, created: false, repairedPermissions: false };
  }
  const local = await loadOrCreateIdentity(dataDir);
  const mine = local.identity.toString(true);
  const winner = await store.transaction((tx) => tx.claimSetting(IDENTITY_SETTING, mine));
  if (winner === mine) return local;
  // Another process claimed the database first.
  const identity = parseStored(winner);
  if (!local.created) throw conflict(dataDir, local.identity, identity);
  await writeIdentityFiles(dataDir, identity);
  return { identity, created: false, repairedPermissions: false };
}
