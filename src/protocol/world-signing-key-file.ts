// `<data dir>/planet.signing.secret` (mode 0600): the key that signs this controller's planets and
// the planet's world id, kept together because members accept a new planet only when both match
// the one they have (same id, signed by the key it names). Written once and never rewritten: losing
// it means every member needs its planet file replaced by hand.
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileExclusive } from './atomic-file.ts';
import { fromHex, toHex } from './bytes.ts';
import { PRIVATE_KEY_LENGTH, PUBLIC_KEY_LENGTH } from './identity.ts';
import { WORLD_ID_EARTH, WORLD_ID_MARS, randomWorldId } from './world.ts';
import {
  generateWorldSigningKey,
  worldSigningKeyFromPrivate,
  type WorldSigningKey,
} from './world-signing-key.ts';

export const WORLD_SIGNING_KEY_FILE = 'planet.signing.secret';

export interface LoadedWorldSigningKey {
  key: WorldSigningKey;
  worldId: bigint;
  path: string;
  /** True when the file did not exist and was generated now. */
  created: boolean;
}

interface KeyFileJson {
  worldId: string;
  publicKey: string;
  privateKey: string;
}

/**
 * Loads the planet signing key and world id of `dataDir`, creating both on first use. An existing
 * file that does not parse throws an Error naming it; it is never overwritten.
 */
export async function loadOrCreateWorldSigningKey(dataDir: string): Promise<LoadedWorldSigningKey> {
  const path = join(dataDir, WORLD_SIGNING_KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing) return { ...existing, path, created: false };

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = generateWorldSigningKey();
  const worldId = randomWorldId();
  const json: KeyFileJson = {
    worldId: worldId.toString(),
    publicKey: toHex(key.publicKey),
    privateKey: toHex(key.privateKey),
  };
  if (await createFileExclusive(path, `${JSON.stringify(json, null, 2)}\n`, 0o600))
    return { key, worldId, path, created: true };
  // Another run created it meanwhile: its key is the one to keep.
  const other = await readKeyFile(path);
  if (!other) throw new Error(`${path}: disappeared while being created`);
  return { ...other, path, created: false };
}

async function readKeyFile(path: string): Promise<{ key: WorldSigningKey; worldId: bigint } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path}: cannot read the planet signing key: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let parsed: { key: WorldSigningKey; worldId: bigint };
  try {
    parsed = parseKeyFile(text);
  } catch (error) {
    throw new Error(`${path}: not a valid planet signing key file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // A copy or restore may have widened the mode; the secret must be protected either way.
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return parsed;
}

function parseKeyFile(text: string): { key: WorldSigningKey; worldId: bigint } {
  const json = JSON.parse(text) as Partial<Record<keyof KeyFileJson, unknown>> | null;
  if (typeof json !== 'object' || json === null) throw new Error('expected a JSON object');
  const { worldId, publicKey, privateKey } = json;
  if (typeof worldId !== 'string' || !/^[1-9]\d{0,19}$/.test(worldId) || BigInt(worldId) >= 1n << 64n)
    throw new Error('"worldId" must be a decimal unsigned 64-bit integer other than 0, as a string');
  const id = BigInt(worldId);
  if (id === WORLD_ID_EARTH || id === WORLD_ID_MARS)
    throw new Error(`"worldId" ${worldId} is reserved for ZeroTier's public planets`);
  if (typeof publicKey !== 'string' || typeof privateKey !== 'string')
    throw new Error('"publicKey" and "privateKey" must be hex strings');
  const key = worldSigningKeyFromPrivate(
    fromHex(privateKey, '"privateKey"', PRIVATE_KEY_LENGTH),
    fromHex(publicKey, '"publicKey"', PUBLIC_KEY_LENGTH),
  );
  return { key, worldId: id };
}
