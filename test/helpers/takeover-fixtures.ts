// Shared by the import/export end-to-end tests: zerotier-one homes made from the recorded runs (the
// shared files are read-only, so every test gets a writable copy), a snapshot of everything an
// import may touch, and a real controller started on an imported data dir.
import {
  chmodSync,
  cpSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { startController, type RunningController } from '../../src/main.ts';
import { IDENTITY_SETTING } from '../../src/protocol/controller-identity.ts';
import { openStore } from '../../src/store/open-store.ts';
import { sharedFile } from './shared-vectors.ts';

export const RUNS = ['run-baseline', 'run-noaes-proto11'] as const;
export type RecordedRun = (typeof RUNS)[number];

/** A writable copy of a folder (the recordings are read-only). */
export function copyWritable(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  for (const entry of ['', ...readdirSync(to, { recursive: true, encoding: 'utf8' })]) {
    const path = join(to, entry);
    chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  }
}

/**
 * A zerotier-one home as the recorded controller left it: identity.secret / identity.public,
 * controller.d/ and the private planet it was the root of.
 */
export function recordedHome(run: RecordedRun, home: string): string {
  mkdirSync(home, { recursive: true });
  copyWritable(sharedFile(run, 'controller.d'), join(home, 'controller.d'));
  copyFileSync(sharedFile(run, 'controller-identity.secret'), join(home, 'identity.secret'));
  copyFileSync(sharedFile(run, 'controller-identity.public'), join(home, 'identity.public'));
  copyFileSync(sharedFile(run, 'planet.bin'), join(home, 'planet'));
  chmodSync(join(home, 'identity.secret'), 0o600);
  return home;
}

/** Every FileDB file of a home, relative path → text. */
export function fileDbFiles(home: string): Map<string, string> {
  const root = join(home, 'controller.d');
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(root, entry);
    if (statSync(path).isFile()) files.set(entry, readFileSync(path, 'utf8'));
  }
  return files;
}

export interface DataDirSnapshot {
  files: Record<string, string | null>;
  store: unknown;
}

/** Identity files, planet and the whole store content (networks, members, routes, events, setting). */
export async function snapshotDataDir(dataDir: string): Promise<DataDirSnapshot> {
  const files: Record<string, string | null> = {};
  for (const name of ['identity.secret', 'identity.public', 'planet']) {
    const path = join(dataDir, name);
    files[name] = existsSync(path) ? readFileSync(path).toString('base64') : null;
  }
  if (!existsSync(join(dataDir, 'controller.db'))) return { files, store: null };
  const store = await openStore({ dataDir });
  try {
    const networks = await store.listNetworks();
    return {
      files,
      store: {
        identity: await store.getSetting(IDENTITY_SETTING),
        networks,
        members: await Promise.all(networks.map((n) => store.listMembers(n.id))),
        routes: await Promise.all(networks.map((n) => store.listRoutes(n.id))),
        events: await store.listEvents({}),
      },
    };
  } finally {
    await store.close();
  }
}

export interface ServedDataDir {
  controller: RunningController;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
  get(path: string): Promise<any>;
  close(): Promise<void>;
}

/** `routeplane serve` on an existing data dir, in this process (loopback, ephemeral ports). */
export async function serveDataDir(dataDir: string): Promise<ServedDataDir> {
  const controller = await startController({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    udpPort: 0,
    udpBind: '127.0.0.1',
    logger: pino({ level: 'silent' }),
  });
  return {
    controller,
    async get(path) {
      const response = await fetch(controller.url + path, { headers: { 'X-ZT1-Auth': controller.token } });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`GET ${path} → ${response.status}: ${text}`);
      return JSON.parse(text) as unknown;
    },
    close: () => controller.close(),
  };
}
