// Members find their controller through the roots of their planet. zerotier-one keeps the planet it
// uses in its home (`planet`, ZeroTier's public one unless a private planet was installed), so an
// import copies it into the data dir, where `routeplane serve` looks by default: Routeplane then
// sits where the old controller sat (following the same roots, or being the root itself).
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { WORLD_ID_EARTH, decodeWorld, verifyWorld, type World } from '../../protocol/world.ts';

export const PLANET_FILE = 'planet';

export interface PlanetAdoption {
  action: 'copied' | 'would-copy' | 'same' | 'kept' | 'none' | 'invalid';
  /** One sentence for the user. */
  note: string;
}

async function readBytes(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function describeWorld(world: World, controllerAddress: string): string {
  const name = world.id === WORLD_ID_EARTH ? "ZeroTier's public planet" : `planet ${world.id}`;
  const roots = world.roots.map((root) => root.identity.address);
  const role = roots.includes(controllerAddress)
    ? 'this controller is its root, as before'
    : `members reach this controller through its roots (${roots.join(', ')})`;
  return `${name}: ${role}`;
}

export async function adoptPlanet(
  home: string,
  dataDir: string,
  controllerAddress: string,
  write: boolean,
): Promise<PlanetAdoption> {
  const source = join(home, PLANET_FILE);
  const target = join(dataDir, PLANET_FILE);
  const bytes = await readBytes(source);
  if (bytes === undefined) {
    return {
      action: 'none',
      note: `${source} does not exist: start routeplane serve with --planet <the planet your members use>`,
    };
  }
  let world: World;
  try {
    world = decodeWorld(bytes);
    if (!verifyWorld(world)) throw new Error('its signature does not verify');
  } catch (error) {
    return {
      action: 'invalid',
      note: `${source} is not a valid planet (${(error as Error).message}); not copied`,
    };
  }
  const existing = await readBytes(target);
  if (existing !== undefined) {
    if (Buffer.from(existing).equals(Buffer.from(bytes))) {
      return {
        action: 'same',
        note: `${target} is already ${source} (${describeWorld(world, controllerAddress)})`,
      };
    }
    return {
      action: 'kept',
      note:
        `${target} differs from ${source} and was kept. Members of the old controller use ${source}: ` +
        `start routeplane serve with --planet ${source}, unless every member has been given ${target}`,
    };
  }
  if (!write) {
    return {
      action: 'would-copy',
      note: `would copy ${source} to ${target} (${describeWorld(world, controllerAddress)})`,
    };
  }
  // Temp file and rename: serve never reads half a planet.
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await copyFile(source, temp);
    await chmod(temp, 0o644);
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return {
    action: 'copied',
    note: `copied ${source} to ${target} (${describeWorld(world, controllerAddress)})`,
  };
}
