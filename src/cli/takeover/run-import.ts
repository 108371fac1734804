// What `routeplane import` does: the controller identity of a zerotier-one home (so every network ID
// and every member's trust stay valid) and its FileDB networks and members are validated completely,
// reported, and written in one transaction; nothing is written when anything is wrong, or on a dry
// run. Loaded only when the command runs (the store and service modules take a while to load).
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isRpError } from '../../core/errors.ts';
import { controllerAddressOf } from '../../core/network/network-id.ts';
import { CONTROLLER_DIR } from '../../core/takeover/filedb-layout.ts';
import { planTakeover, type TakeoverPlan, type TakeoverProblem } from '../../core/takeover/takeover-plan.ts';
import { IDENTITY_SETTING } from '../../protocol/controller-identity.ts';
import { closeIdentityWorkers } from '../../protocol/identity-pool.ts';
import type { IdentityWithPrivate } from '../../protocol/identity.ts';
import { writeTakeover } from '../../service/takeover-import.ts';
import { describeStoreLocation, openStore } from '../../store/open-store.ts';
import type { Store } from '../../store/store.ts';
import { CliError } from '../cli-error.ts';
import { USAGE_EXIT_CODE } from '../client-context.ts';
import { formatFields } from '../output.ts';
import { createProgress } from '../progress.ts';
import type { StoreOptions } from '../store-options.ts';
import {
  knownIdentities,
  otherIdentities,
  readIdentitySecret,
  writeIdentityFiles,
  type KnownIdentity,
} from './controller-identity.ts';
import { NotAFileDbError, readFileDbTree, type FileDbTree } from './filedb-reader.ts';
import { adoptPlanet, type PlanetAdoption } from './planet-adoption.ts';
import {
  formatNetworkTable,
  formatProblems,
  formatSetAside,
  formatTotals,
  reportJson,
} from './takeover-report.ts';
import { storeLocationOf, storeMayExist } from './store-location.ts';

export interface ImportOptions extends StoreOptions {
  from: string;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
  /** False with --no-progress. */
  progress?: boolean;
}

export interface ImportOutcome {
  identity: IdentityWithPrivate;
  tree: FileDbTree;
  plan: TakeoverPlan;
  dryRun: boolean;
  replacedIdentities: KnownIdentity[];
  replacedNetworks: string[];
  /** Networks left in the store that the imported identity cannot serve (another controller's). */
  foreignNetworks: string[];
  planet: PlanetAdoption;
  /** ms spent reading and validating, and writing (0 on a dry run). */
  readMs: number;
  writeMs: number;
}

/** Bad files: every problem, each with its file, field and error code (printed with --json). */
export class ImportProblemsError extends CliError {
  constructor(
    home: string,
    readonly problems: readonly TakeoverProblem[],
  ) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${home}; nothing was imported:\n` +
        formatProblems(problems),
    );
  }
}

/** Validates, reports and (unless a dry run) imports; throws a CliError naming what is wrong. */
export async function runImport(options: ImportOptions): Promise<ImportOutcome> {
  const home = resolve(options.from);
  if (!(await stat(home).catch(() => undefined))?.isDirectory()) {
    throw new CliError(`--from ${options.from}: no such directory`, USAGE_EXIT_CODE);
  }
  if (basename(home) === CONTROLLER_DIR) {
    throw new CliError(
      `--from ${options.from}: give the zerotier-one home (the folder holding identity.secret and ` +
        `${CONTROLLER_DIR}/), e.g. ${dirname(home)}`,
      USAGE_EXIT_CODE,
    );
  }
  const location = storeLocationOf(options);
  const dataDir = location.dataDir;
  const dryRun = options.dryRun === true;
  const progress = createProgress(options.progress !== false && options.json !== true);
  let store: Store | undefined;
  try {
    const readStarted = performance.now();
    const identity = await readIdentitySecret(home, 'The import');
    const now = Date.now();
    const tree = await readFileDbTree(join(home, CONTROLLER_DIR), {
      now,
      onListed: (files) => progress.start('reading', files),
      onRead: (files) => progress.update(files),
    }).catch((error: unknown) => {
      if (error instanceof NotAFileDbError) {
        throw new CliError(`${home} is not a zerotier-one controller home: ${error.message}`);
      }
      throw error;
    });
    progress.stop();
    const plan = planTakeover({
      controllerAddress: identity.address,
      networks: tree.networks,
      members: tree.members,
    });
    const problems = [...tree.problems, ...plan.problems];
    if (problems.length > 0) throw new ImportProblemsError(home, problems);

    // A dry run must not create a database: look at one only if it exists already.
    store = dryRun && !storeMayExist(location) ? undefined : await openStore(location);
    const replacedIdentities = otherIdentities(identity, await knownIdentities(dataDir, store));
    if (replacedIdentities.length > 0 && options.force !== true) {
      throw new CliError(identityRefusal(identity, replacedIdentities, home));
    }
    const importedIds = new Set(plan.networks.map((network) => network.id));
    const stored = store === undefined ? [] : await store.listNetworkIds();
    const replacedNetworks = stored.filter((id) => importedIds.has(id));
    if (replacedNetworks.length > 0 && options.force !== true) {
      throw new CliError(
        `the store (${describeStoreLocation(location)}) already holds ${replacedNetworks.length} of the imported ` +
          `networks (${replacedNetworks.join(', ')}); imported before? Pass --force to replace them, with their ` +
          'members, routes and subnet-router state, by what the files say',
      );
    }
    const readMs = performance.now() - readStarted;
    const outcome = async (writeMs: number) => ({
      identity,
      tree,
      plan,
      dryRun,
      replacedIdentities,
      replacedNetworks,
      foreignNetworks: foreignNetworks(stored, identity.address),
      // A dry run only says what it would copy.
      planet: await adoptPlanet(home, dataDir, identity.address, !dryRun),
      readMs,
      writeMs,
    });

    if (dryRun) return await outcome(0);

    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const writeStarted = performance.now();
    let undoIdentity: (() => Promise<void>) | undefined;
    progress.start('writing', plan.totals.members);
    try {
      await writeTakeover(store!, {
        networks: plan.networks,
        members: plan.members,
        controllerAddress: identity.address,
        settings: [[IDENTITY_SETTING, identity.toString(true)]],
        replaceNetworks: options.force === true,
        source: home,
        now,
        onMembersWritten: (count) => progress.update(count),
        // Last inside the transaction: if the files cannot be written, nothing is committed.
        beforeCommit: async () => {
          undoIdentity = await writeIdentityFiles(dataDir, identity);
        },
      });
    } catch (error) {
      // The commit itself failed after the files were written: put the old ones back.
      await undoIdentity?.().catch(() => undefined);
      if (isRpError(error)) throw new CliError(`${error.message}; nothing was imported`);
      throw error;
    } finally {
      progress.stop();
    }
    return await outcome(performance.now() - writeStarted);
  } finally {
    progress.stop();
    await store?.close();
    await closeIdentityWorkers();
  }
}

function identityRefusal(
  identity: IdentityWithPrivate,
  others: readonly KnownIdentity[],
  home: string,
): string {
  const addresses = [...new Set(others.map((other) => other.address))];
  return (
    `this Routeplane is controller ${addresses.join(' / ')} (${others.map((o) => o.where).join('; ')}), ` +
    `but ${join(home, 'identity.secret')} is controller ${identity.address}. Importing would replace ` +
    `${addresses.join(' / ')} by ${identity.address}, and the networks of ${addresses.join(' / ')} would no ` +
    'longer be served. Pass --force to replace it (back up the data dir first), or import into another --data-dir'
  );
}

export function formatOutcome(outcome: ImportOutcome, options: ImportOptions): string {
  const { identity, plan, tree } = outcome;
  const location = storeLocationOf(options);
  const parts: string[] = [
    formatFields([
      ['controller', `${identity.address} (identity valid)`],
      ['from', resolve(options.from)],
      ['into', describeStoreLocation(location)],
    ]),
  ];
  if (plan.figures.length > 0) parts.push(formatNetworkTable(plan.figures));
  parts.push(formatTotals(plan));
  const setAside = formatSetAside(tree.skipped, plan);
  if (setAside) parts.push(setAside);
  const notes: string[] = [];
  for (const other of outcome.replacedIdentities) {
    notes.push(`identity ${other.address} (${other.where}) ${outcome.dryRun ? 'would be' : 'was'} replaced`);
  }
  if (outcome.replacedNetworks.length > 0) {
    notes.push(
      `${outcome.dryRun ? 'would replace' : 'replaced'} networks already in the store: ${outcome.replacedNetworks.join(', ')}`,
    );
  }
  if (outcome.foreignNetworks.length > 0) {
    notes.push(
      `${outcome.foreignNetworks.length} network(s) of another controller stay in the store but cannot be served ` +
        `by ${identity.address}: ${outcome.foreignNetworks.join(', ')}`,
    );
  }
  notes.push(`planet: ${outcome.planet.note}`);
  parts.push(notes.join('\n'));
  const { totals } = plan;
  const what = `${totals.networks} network${totals.networks === 1 ? '' : 's'} and ${totals.members} member${totals.members === 1 ? '' : 's'}`;
  if (outcome.dryRun) {
    parts.push(
      `Dry run: ${what} would be imported (validated in ${seconds(outcome.readMs)}); nothing was written.`,
    );
  } else {
    parts.push(
      [
        `Imported ${what} in ${seconds(outcome.readMs + outcome.writeMs)} ` +
          `(read and validated in ${seconds(outcome.readMs)}, written in ${seconds(outcome.writeMs)}).`,
        `Controller identity ${identity.address} is in ${resolve(options.dataDir)}/identity.secret (0600).`,
        `Stop the zerotier-one controller for good, then start: routeplane serve --data-dir ${options.dataDir}` +
          (storeLocationOf(options).databaseUrl === undefined ? '' : ' --database <the same database>') +
          (outcome.planet.action === 'kept' ? ` --planet ${join(resolve(options.from), 'planet')}` : ''),
        'Members keep their addresses and routes; none has to re-join.',
      ].join('\n'),
    );
  }
  return `${parts.join('\n')}\n`;
}

export function outcomeJson(outcome: ImportOutcome, options: ImportOptions): Record<string, unknown> {
  return {
    dryRun: outcome.dryRun,
    controller: outcome.identity.address,
    from: resolve(options.from),
    into: describeStoreLocation(storeLocationOf(options)),
    ...reportJson(outcome.plan, outcome.tree.skipped),
    replacedIdentities: outcome.replacedIdentities.map(({ address, where }) => ({ address, where })),
    replacedNetworks: outcome.replacedNetworks,
    foreignNetworks: outcome.foreignNetworks,
    planet: outcome.planet,
    readMs: Math.round(outcome.readMs),
    writeMs: Math.round(outcome.writeMs),
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Networks in the store that the imported identity cannot serve (kept, but worth a word). */
function foreignNetworks(storedIds: readonly string[], controllerAddress: string): string[] {
  return storedIds.filter((id) => controllerAddressOf(id) !== controllerAddress);
}
