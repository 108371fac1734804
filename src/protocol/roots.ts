// Where this controller sits in the ZeroTier topology (PROTOCOL-NOTES §2.9). With a planet file
// (`--planet`, e.g. zerotier-one's own, or one from `routeplane planet`) the controller follows those
// roots, or is one of them when its identity is listed. Without one it acts as the root of its own
// private planet (the planet file members get from `routeplane planet`, kept in the data dir).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Identity } from './identity.ts';
import type { RootPeer } from './node/index.ts';
import { decodeWorld, verifyWorld, type World } from './world.ts';

export interface Topology {
  roots: RootPeer[];
  isRoot: boolean;
  planet?: { id: bigint; timestamp: bigint; serialized: Uint8Array };
  /** Where the planet came from, for the start-up message. */
  source: string;
}

async function readWorld(path: string): Promise<{ world: World; bytes: Uint8Array } | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let world: World;
  try {
    world = decodeWorld(bytes);
  } catch (error) {
    throw new Error(`${path}: not a ZeroTier planet: ${(error as Error).message}`, { cause: error });
  }
  if (!verifyWorld(world)) throw new Error(`${path}: the planet's signature does not verify`);
  return { world, bytes };
}

export async function resolveTopology(
  identity: Identity,
  dataDir: string,
  planetFile?: string,
): Promise<Topology> {
  const path = planetFile ?? join(dataDir, 'planet');
  const loaded = await readWorld(path);
  if (!loaded) {
    if (planetFile !== undefined) throw new Error(`${planetFile}: no such planet file`);
    return { roots: [], isRoot: true, source: 'private (no planet file yet: run `routeplane planet`)' };
  }
  const { world, bytes } = loaded;
  const roots = world.roots.map((root) => ({
    identity: root.identity,
    endpoints: root.endpoints.map((endpoint) => ({ ip: endpoint.ip, port: endpoint.port })),
  }));
  const isRoot = roots.some((root) => root.identity.address === identity.address);
  return {
    roots,
    isRoot,
    planet: { id: world.id, timestamp: world.timestamp, serialized: bytes },
    source: `${path} (world ${world.id}, ${roots.length} root${roots.length === 1 ? '' : 's'}${isRoot ? ', this controller among them' : ''})`,
  };
}
