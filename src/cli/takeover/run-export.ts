// What `routeplane export` does: writes the controller back out as a zerotier-one home holds it
// (identity.secret, identity.public, controller.d/ in FileDB layout). The tree is built in a temp
// folder and moved into place whole: a failed export never leaves half a controller.d. Loaded only
// when the command runs.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CONTROLLER_DIR } from '../../core/takeover/filedb-layout.ts';
import { IDENTITY_SETTING } from '../../protocol/controller-identity.ts';
import { closeIdentityWorkers, validateIdentity } from '../../protocol/identity-pool.ts';
import { Identity, type IdentityWithPrivate } from '../../protocol/identity.ts';
import { ControllerService } from '../../service/controller-service.ts';
import { describeStoreLocation, openStore, type StoreLocation } from '../../store/open-store.ts';
import type { Store } from '../../store/store.ts';
import { CliError } from '../cli-error.ts';
import { formatFields } from '../output.ts';
import { createProgress } from '../progress.ts';
import type { StoreOptions } from '../store-options.ts';
import {
  knownIdentities,
  otherIdentities,
  readIdentitySecret,
  writeIdentityFiles,
} from './controller-identity.ts';
import { writeFileDbTree } from './filedb-writer.ts';
import { storeLocationOf, storeMayExist } from './store-location.ts';

export interface ExportOptions extends StoreOptions {
  to: string;
  force?: boolean;
  json?: boolean;
  progress?: boolean;
}

export interface ExportOutcome {
  controller: string;
  to: string;
  networks: number;
  members: number;
  replacedTree: boolean;
  ms: number;
}

export async function runExport(options: ExportOptions): Promise<ExportOutcome> {
  const started = performance.now();
  const location = storeLocationOf(options);
  const dataDir = location.dataDir;
  const to = resolve(options.to);
  if (!storeMayExist(location)) {
    // Opening would create an empty database: there is simply nothing to export here.
    throw new CliError(
      `no Routeplane database at ${describeStoreLocation(location)}; check --data-dir or --database`,
    );
  }
  const progress = createProgress(options.progress !== false && options.json !== true);
  let store: Store | undefined;
  let service: ControllerService | undefined;
  const temp = join(to, `.${CONTROLLER_DIR}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    store = await openStore(location);
    const identity = await controllerIdentity(store, dataDir, location);
    await mkdir(to, { recursive: true, mode: 0o700 });
    const target = join(to, CONTROLLER_DIR);
    const existingTree = await readdir(target).catch(() => undefined);
    const replacedTree = existingTree !== undefined && existingTree.length > 0;
    if (replacedTree && options.force !== true) {
      throw new CliError(`${target} already exists and is not empty; pass --force to replace it`);
    }
    const others = otherIdentities(identity, await knownIdentities(to, undefined));
    if (others.length > 0 && options.force !== true) {
      throw new CliError(
        `${join(to, 'identity.secret')} is controller ${others[0]!.address}, not ${identity.address}; ` +
          'pass --force to replace it (that node would become this controller)',
      );
    }

    service = new ControllerService({ store, controllerAddress: identity.address });
    const total = await countMembers(store);
    progress.start('writing', total);
    const written = await writeFileDbTree(temp, store, service, {
      onMembersWritten: (count) => progress.update(count),
    });
    progress.stop();
    // Swap in the finished tree; the old one is removed only once the new one is in place.
    const old = existingTree === undefined ? undefined : `${temp}.old`;
    if (old !== undefined) await rename(target, old);
    await rename(temp, target);
    if (old !== undefined) await rm(old, { recursive: true, force: true });
    await writeIdentityFiles(to, identity);
    return {
      controller: identity.address,
      to,
      networks: written.networks,
      members: written.members,
      replacedTree,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    progress.stop();
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    await service?.close();
    await store?.close();
    await closeIdentityWorkers();
  }
}

/** The store's identity setting, else the data dir's identity.secret; either must validate. */
async function controllerIdentity(
  store: Store,
  dataDir: string,
  location: StoreLocation,
): Promise<IdentityWithPrivate> {
  const stored = await store.getSetting(IDENTITY_SETTING);
  if (stored === undefined) return readIdentitySecret(dataDir, 'The export');
  const where = `the store setting ${IDENTITY_SETTING} (${describeStoreLocation(location)})`;
  let identity: Identity;
  try {
    identity = Identity.parse(stored);
  } catch (error) {
    throw new CliError(`${where} is not a valid identity: ${(error as Error).message}`);
  }
  if (!identity.hasPrivate() || !(await validateIdentity(identity))) {
    throw new CliError(
      `${where} (controller ${identity.address}) lacks its private key or does not validate`,
    );
  }
  return identity;
}

async function countMembers(store: Store): Promise<number> {
  let total = 0;
  for (const id of await store.listNetworkIds()) total += (await store.countMembers(id)).total;
  return total;
}

export function formatExport(outcome: ExportOutcome): string {
  return (
    formatFields([
      ['controller', outcome.controller],
      ['to', outcome.to],
      ['networks', String(outcome.networks)],
      ['members', String(outcome.members)],
    ]) +
    [
      `Exported in ${(outcome.ms / 1000).toFixed(2)} s${outcome.replacedTree ? ' (the old controller.d was replaced)' : ''}.`,
      `zerotier-one reads it at start: stop Routeplane, make ${outcome.to} the zerotier-one home (or copy`,
      'identity.secret, identity.public and controller.d/ into it, owned by the user zerotier-one runs as),',
      'then start zerotier-one. Routeplane-only state (IPAM subnets, subnet routers, events, tokens) is',
      'not part of the FileDB format; routes are written as members receive them.',
    ].join('\n') +
    '\n'
  );
}
