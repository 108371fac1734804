// The controller's own identity on disk, in ZeroTier's format and file names: `identity.secret`
// (address:0:public:private, mode 0600) and `identity.public` (0644), so the files can be moved
// to or from a zerotier-one home directory.
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileExclusive, writeFileAtomic } from './atomic-file.ts';
import { Identity } from './identity.ts';
import { generateIdentity } from './identity-pool.ts';

export const IDENTITY_SECRET_FILE = 'identity.secret';
export const IDENTITY_PUBLIC_FILE = 'identity.public';

export interface LoadedIdentity {
  identity: Identity;
  /** True when no identity.secret existed and a new identity was generated and written. */
  created: boolean;
  /**
   * True when an existing identity.secret was readable by group or others and was chmod'ed to
   * 0600. We repair rather than refuse: refusing would take the controller down for a mode bit
   * (typically after a copy or a restore), and the secret must be protected either way.
   */
  repairedPermissions: boolean;
}

/**
 * Loads `<dataDir>/identity.secret`, or generates an identity and writes both files when there is
 * none. An existing file must parse, hold the private key and locally validate; otherwise this
 * throws an Error naming the file (it is never overwritten: it may be the only copy of a key).
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<LoadedIdentity> {
  const secretPath = join(dataDir, IDENTITY_SECRET_FILE);
  const existing = await loadSecret(secretPath);
  if (existing) {
    await ensurePublicFile(dataDir, existing.identity);
    return { ...existing, created: false };
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const identity = await generateIdentity();
  const won = await createFileExclusive(secretPath, identity.toString(true), 0o600);
  if (!won) {
    // Another process created the file meanwhile: use its identity, not ours.
    const other = await loadSecret(secretPath);
    if (!other) throw new Error(`${secretPath}: disappeared while being created`);
    await ensurePublicFile(dataDir, other.identity);
    return { ...other, created: false };
  }
  await ensurePublicFile(dataDir, identity);
  return { identity, created: true, repairedPermissions: false };
}

async function loadSecret(
  path: string,
): Promise<{ identity: Identity; repairedPermissions: boolean } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path}: cannot read identity: ${(error as Error).message}`, { cause: error });
  }
  let identity: Identity;
  try {
    identity = Identity.parse(text);
  } catch (error) {
    throw new Error(`${path}: not a valid identity: ${(error as Error).message}`, { cause: error });
  }
  if (!identity.hasPrivate())
    throw new Error(`${path}: holds only a public identity, the private key is missing`);
  // Our own identity is checked once per start, on this thread: one hash (~30 ms) costs less than
  // starting a worker, and serving must not begin before it passed.
  if (!identity.locallyValidate()) {
    throw new Error(
      `${path}: identity ${identity.address} does not validate (address or private key does not match the public key)`,
    );
  }
  let repairedPermissions = false;
  if (((await stat(path)).mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    repairedPermissions = true;
  }
  return { identity, repairedPermissions };
}

/** Writes identity.public when it is missing or stale (e.g. after identity.secret was replaced). */
async function ensurePublicFile(dataDir: string, identity: Identity): Promise<void> {
  const path = join(dataDir, IDENTITY_PUBLIC_FILE);
  const text = identity.toString(false);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current?.trim() === text) return;
  await writeFileAtomic(path, text, 0o644, true);
}

/** Reads `<dataDir>/identity.secret` as loadOrCreateIdentity does; undefined when there is none. */
export async function readIdentityFile(dataDir: string): Promise<Identity | undefined> {
  return (await loadSecret(join(dataDir, IDENTITY_SECRET_FILE)))?.identity;
}

/** Writes both files for `identity` (with its private key), replacing what is there. */
export async function writeIdentityFiles(dataDir: string, identity: Identity): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(dataDir, IDENTITY_SECRET_FILE), identity.toString(true), 0o600, true);
  await ensurePublicFile(dataDir, identity);
}
