// `routeplane planet`: writes a private planet whose only root is this controller, so members need
// no public ZeroTier root (offline sites, labs). `routeplane planet show FILE` decodes one.
// Offline: works on the data dir, like serve.
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseIp } from 'ip-bigint';
import { toHex } from '../../protocol/bytes.ts';
import { loadOrCreateIdentity } from '../../protocol/identity-file.ts';
import { decodeInetAddress, encodeInetAddress } from '../../protocol/inet-address.ts';
import {
  WORLD_MAX_ENDPOINTS_PER_ROOT,
  decodeWorld,
  encodeWorld,
  signWorld,
  verifyWorld,
  type World,
  type WorldEndpoint,
} from '../../protocol/world.ts';
import { loadOrCreateWorldSigningKey } from '../../protocol/world-signing-key-file.ts';
import { CliError } from '../cli-error.ts';
import { USAGE_EXIT_CODE, collect } from '../client-context.ts';
import { DEFAULT_DATA_DIR } from '../default-options.ts';
import { formatFields, writeOut } from '../output.ts';

/**
 * The controller's current planet, kept in the data dir: the next run signs a newer timestamp than
 * it even if the clock went back (members silently ignore an older one), and a root can hand it out.
 */
export const CURRENT_PLANET_FILE = 'planet';

interface PlanetOptions {
  dataDir: string;
  out?: string;
  endpoint?: string[];
}

export function registerPlanetCommand(program: Command): void {
  const planet = program
    .command('planet')
    .description('write a signed private planet whose only root is this controller')
    .option('--data-dir <dir>', 'data dir of the controller (identity, planet signing key)', DEFAULT_DATA_DIR)
    .option('--out <file>', 'where to write the planet file')
    .option(
      '--endpoint <ip/port>',
      'address members reach the controller at, IPv4 or IPv6, e.g. 203.0.113.5/9993 (repeatable)',
      collect,
    )
    .action((options: PlanetOptions) => writePlanet(options));
  planet
    .command('show <file>')
    .description('decode a planet or moon file and check its signature')
    .action((file: string) => showWorld(file));
}

/** `IP/PORT` (ZeroTier's notation) → a canonical endpoint; throws a usage CliError naming the input. */
export function parseEndpoint(text: string): WorldEndpoint {
  const fail = (why: string): never => {
    throw new CliError(`--endpoint "${text}": ${why}`, USAGE_EXIT_CODE);
  };
  const slash = text.lastIndexOf('/');
  if (slash < 0) fail('expected IP/PORT, e.g. 203.0.113.5/9993 or 2001:db8::5/9993');
  const ip = text.slice(0, slash);
  const portText = text.slice(slash + 1);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) fail(`"${portText}" is not a port (1-65535)`);
  const family = isIPv4(ip)
    ? 4
    : isIPv6(ip) && !ip.includes('%')
      ? 6
      : fail(`"${ip}" is not an IPv4 or IPv6 address`);
  const n = parseIp(ip).number;
  if (n === 0n) fail('the unspecified address cannot be reached; give the address members should use');
  if ((family === 4 && n >> 28n === 0xen) || (family === 6 && n >> 120n === 0xffn))
    fail('a multicast address cannot be a root endpoint');
  // Round trip through the wire form so the text printed matches what members will decode.
  const { address } = decodeInetAddress(encodeInetAddress({ family, ip, port }));
  return { ip: address!.ip, port };
}

async function writePlanet(options: PlanetOptions): Promise<void> {
  // Everything the user typed is checked before anything is created or written.
  if (options.out === undefined) throw new CliError('--out FILE is required', USAGE_EXIT_CODE);
  const raw = options.endpoint ?? [];
  if (raw.length === 0)
    throw new CliError(
      'at least one --endpoint IP/PORT is required (where members reach this controller)',
      USAGE_EXIT_CODE,
    );
  if (raw.length > WORLD_MAX_ENDPOINTS_PER_ROOT)
    throw new CliError(
      `at most ${WORLD_MAX_ENDPOINTS_PER_ROOT} --endpoint values, got ${raw.length}`,
      USAGE_EXIT_CODE,
    );
  const endpoints = raw.map(parseEndpoint);
  const seen = new Set<string>();
  for (const [i, endpoint] of endpoints.entries()) {
    const key = `${endpoint.ip}/${endpoint.port}`;
    if (seen.has(key)) throw new CliError(`--endpoint "${raw[i]}" is given twice`, USAGE_EXIT_CODE);
    seen.add(key);
  }
  const out = resolve(options.out);
  const outDir = await stat(dirname(out)).catch(() => undefined);
  if (!outDir?.isDirectory())
    throw new CliError(`--out: directory ${dirname(out)} does not exist`, USAGE_EXIT_CODE);

  const dataDir = resolve(options.dataDir);
  const { identity } = await loadOrCreateIdentity(dataDir).catch(fatal);
  const signing = await loadOrCreateWorldSigningKey(dataDir).catch(fatal);
  const currentPath = join(dataDir, CURRENT_PLANET_FILE);
  let timestamp = BigInt(Date.now());
  for (const path of [currentPath, out]) {
    const previous = await readSameWorld(path, signing.worldId);
    if (previous !== undefined && previous.timestamp >= timestamp) timestamp = previous.timestamp + 1n;
  }
  const world = signWorld(
    {
      type: 'planet',
      id: signing.worldId,
      timestamp,
      updatesMustBeSignedBy: signing.key.publicKey,
      roots: [{ identity: identity.withoutPrivate(), endpoints }],
    },
    signing.key,
  );
  const bytes = encodeWorld(world);
  if (!verifyWorld(decodeWorld(bytes))) throw new Error('the planet just signed does not verify (bug)');
  await writeFileAtomic(out, bytes);
  await writeFileAtomic(currentPath, bytes);

  writeOut(`Wrote planet ${out} (${bytes.length} bytes)`);
  writeOut(
    formatFields([
      ...worldFields(world),
      ['signing key', `${signing.path}${signing.created ? ' (created now)' : ''}`],
    ]),
  );
  writeOut(
    [
      '',
      "Install it on every member, then restart ZeroTier (members stop using ZeroTier's public roots):",
      `  Linux    sudo cp ${out} /var/lib/zerotier-one/planet && sudo systemctl restart zerotier-one`,
      '  macOS    /Library/Application Support/ZeroTier/One/planet',
      '  Windows  C:\\ProgramData\\ZeroTier\\One\\planet',
      'Running `routeplane planet` again on this data dir keeps the world id and signing key and signs',
      'a newer timestamp, so a member holding this planet accepts the new one as an update.',
      `Back up ${signing.path}: without it, every member needs a new planet file by hand.`,
    ].join('\n'),
  );
}

async function showWorld(file: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CliError(`${file}: cannot read: ${(error as Error).message}`);
  }
  let world: World;
  try {
    world = decodeWorld(bytes);
  } catch (error) {
    throw new CliError(`${file}: not a valid planet or moon: ${(error as Error).message}`);
  }
  const valid = verifyWorld(world);
  writeOut(
    formatFields([
      ['file', `${file} (${bytes.length} bytes)`],
      ...worldFields(world),
      ['updates key', toHex(world.updatesMustBeSignedBy)],
      ['signature', valid ? 'valid (by the updates key)' : 'INVALID'],
    ]),
  );
  if (!valid) throw new CliError(`${file}: the signature does not verify against its own updates key`);
}

function worldFields(world: World): [string, string | string[]][] {
  const fields: [string, string | string[]][] = [
    ['type', world.type],
    ['world id', `${world.id} (0x${world.id.toString(16).padStart(16, '0')})`],
    ['timestamp', `${world.timestamp}${isoTime(world.timestamp)}`],
  ];
  world.roots.forEach((root, i) => {
    const label = world.roots.length === 1 ? '' : ` ${i + 1}`;
    fields.push([`root${label}`, root.identity.address]);
    fields.push([`endpoints${label}`, root.endpoints.map((e) => `${e.ip}/${e.port}`)]);
  });
  if (world.roots.length === 0) fields.push(['roots', 'none']);
  return fields;
}

function isoTime(ms: bigint): string {
  const date = new Date(Number(ms));
  return ms > 0n && !Number.isNaN(date.getTime()) ? ` (${date.toISOString()})` : '';
}

/** The world in `path` when it is a readable planet with this id; anything else is no precedent. */
async function readSameWorld(path: string, id: bigint): Promise<World | undefined> {
  try {
    const world = decodeWorld(await readFile(path));
    return world.type === 'planet' && world.id === id ? world : undefined;
  } catch {
    return undefined;
  }
}

/** Temp file beside the target, fsync'ed, then renamed: a reader never sees half a planet. */
async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o644).catch(fatal);
  try {
    await handle.chmod(0o644); // members' zerotier-one reads it; no secret inside
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    fatal(error);
  }
}

function fatal(error: unknown): never {
  throw new CliError(error instanceof Error ? error.message : String(error));
}
