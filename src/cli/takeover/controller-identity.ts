// The controller identity in a takeover: read and fully validate the one in a zerotier-one home,
// find what identity a Routeplane data dir and store already have (so one is never replaced by
// accident), and write identity.secret / identity.public with a way back if the import fails.
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../protocol/atomic-file.ts';
import { IDENTITY_SETTING } from '../../protocol/controller-identity.ts';
import { IDENTITY_PUBLIC_FILE, IDENTITY_SECRET_FILE } from '../../protocol/identity-file.ts';
import { validateIdentity } from '../../protocol/identity-pool.ts';
import { Identity, type IdentityWithPrivate } from '../../protocol/identity.ts';
import type { StoreReader } from '../../store/store.ts';
import { CliError } from '../cli-error.ts';

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`${path}: cannot read: ${(error as Error).message}`);
  }
}

/**
 * `<dir>/identity.secret`, checked as zerotier-one checks it (the address must come from the public
 * key's memory-hard hash; done in a worker) and against `<dir>/identity.public` when that exists.
 */
export async function readIdentitySecret(dir: string, role: string): Promise<IdentityWithPrivate> {
  const path = join(dir, IDENTITY_SECRET_FILE);
  const text = await readText(path);
  if (text === undefined) {
    throw new CliError(
      `${path}: not found. ${role} needs the controller identity: every network ID starts with its address, ` +
        'and members accept configs only when they are signed by it',
    );
  }
  let identity: Identity;
  try {
    identity = Identity.parse(text);
  } catch (error) {
    throw new CliError(`${path}: not a valid identity: ${(error as Error).message}`);
  }
  if (!identity.hasPrivate())
    throw new CliError(`${path}: holds only a public identity, the private key is missing`);
  if (!(await validateIdentity(identity))) {
    throw new CliError(
      `${path}: identity ${identity.address} does not validate (its address does not derive from its public key, ` +
        'or the private key does not match it)',
    );
  }
  const publicPath = join(dir, IDENTITY_PUBLIC_FILE);
  const publicText = await readText(publicPath);
  if (publicText !== undefined && publicText.trim().toLowerCase() !== identity.toString(false)) {
    throw new CliError(
      `${publicPath}: does not match ${IDENTITY_SECRET_FILE} (controller ${identity.address})`,
    );
  }
  return identity;
}

/** An identity Routeplane already has, and where it is kept. */
export interface KnownIdentity {
  /** The public string form, or undefined when the stored text does not parse. */
  publicText: string | undefined;
  /** The address, or `unreadable` when the text does not parse. */
  address: string;
  where: string;
}

function describe(text: string, where: string): KnownIdentity {
  try {
    const identity = Identity.parse(text);
    return { publicText: identity.toString(false), address: identity.address, where };
  } catch {
    return { publicText: undefined, address: 'unreadable', where: `${where} (does not parse)` };
  }
}

/** The identities in `<dataDir>/identity.secret` and in the store's identity setting, if any. */
export async function knownIdentities(
  dataDir: string,
  store: StoreReader | undefined,
): Promise<KnownIdentity[]> {
  const found: KnownIdentity[] = [];
  const path = join(dataDir, IDENTITY_SECRET_FILE);
  const file = await readText(path);
  if (file !== undefined) found.push(describe(file, path));
  const setting = await store?.getSetting(IDENTITY_SETTING);
  if (setting !== undefined) found.push(describe(setting, `the store setting ${IDENTITY_SETTING}`));
  return found;
}

/** The known identities that are not `identity`. */
export function otherIdentities(identity: Identity, known: readonly KnownIdentity[]): KnownIdentity[] {
  const text = identity.toString(false);
  return known.filter((entry) => entry.publicText !== text);
}

/**
 * Writes `<dir>/identity.secret` (0600) and `identity.public` (0644) atomically; returns a function
 * that puts back what was there before (the files' old contents, or no files).
 */
export async function writeIdentityFiles(
  dir: string,
  identity: IdentityWithPrivate,
): Promise<() => Promise<void>> {
  const files: Array<[string, string, number]> = [
    [join(dir, IDENTITY_SECRET_FILE), identity.toString(true), 0o600],
    [join(dir, IDENTITY_PUBLIC_FILE), identity.toString(false), 0o644],
  ];
  const previous = await Promise.all(files.map(([path]) => readText(path)));
  const undo = async () => {
    for (const [i, [path, , mode]] of files.entries()) {
      const before = previous[i];
      if (before === undefined) await unlink(path).catch(() => undefined);
      else await writeFileAtomic(path, before, mode, true);
    }
  };
  try {
    for (const [path, text, mode] of files) await writeFileAtomic(path, text, mode, true);
  } catch (error) {
    await undo().catch(() => undefined);
    throw new CliError(`cannot write the identity files in ${dir}: ${(error as Error).message}`);
  }
  return undo;
}
