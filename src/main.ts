// The one place that wires concrete pieces together: data dir, identity, token, store, service, API.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApi } from './api/server.ts';
import { installRouterMetrics } from './api/router-metrics.ts';
import { RouterProber } from './protocol/controller/router-prober.ts';
import { createRegistry } from './api/metrics.ts';
import { loadOrCreateToken, saveToken, tokenPath } from './api/token-file.ts';
import { NetworkController } from './protocol/controller/network-controller.ts';
import { cachedIdentityValidator } from './protocol/controller/cached-identity-validation.ts';
import { closeIdentityWorkers, validateIdentity } from './protocol/identity-pool.ts';
import { loadControllerIdentity } from './protocol/controller-identity.ts';
import type { Identity } from './protocol/identity.ts';
import { ZeroTierNode, peerJsonFromSightings, toPeerJson, type PeerJson } from './protocol/node/index.ts';
import { ONLINE_WINDOW_MS } from './protocol/controller/member-sessions.ts';
import { resolveTopology, type Topology } from './protocol/roots.ts';
import { ControllerService } from './service/controller-service.ts';
import {
  DATABASE_FILE,
  describeStoreLocation,
  isPostgresUrl,
  openStore,
  sqliteFileOf,
} from './store/open-store.ts';
import { PostgresLeaderElection } from './store/postgres/postgres-leader.ts';
import { backupSqliteFile } from './store/sqlite/sqlite-backup.ts';
import type { Store } from './store/store.ts';
import { VERSION } from './version.ts';

export interface ControllerOptions {
  dataDir: string;
  host: string;
  port: number;
  udpPort: number;
  /** Restrict UDP to one local address (IPv4 or IPv6); default: all interfaces, both families. */
  udpBind?: string;
  /** A planet file whose roots this controller follows (or is one of). */
  planetFile?: string;
  /** Overrides the token file (ROUTEPLANE_TOKEN). */
  token?: string;
  logger?: Logger;
  /** Subnet router probes: an ECHO every `probeIntervalMs` (default 2000), a miss after `probeTimeoutMs` (1000). */
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /** The built dashboard served at /ui (default dist/ui). */
  uiDir?: string;
  /**
   * `postgres://…` to share a PostgreSQL database with other controller processes (default: the
   * SQLite file in the data dir). With PostgreSQL every process serves the API; one, the leader,
   * serves ZeroTier UDP and probes subnet routers, and another takes over when it dies.
   */
  databaseUrl?: string;
  /** PostgreSQL schema (default `public`); lets tests and several installations share a database. */
  databaseSchema?: string;
  /** How often a follower tries to become the leader (ms; default 500). */
  leaderPollMs?: number;
  /**
   * SQLite: how often the database is copied to `controller.db.backup` in the data dir (online
   * backup; ms; default one hour; 0 = never).
   */
  backupIntervalMs?: number;
}

export interface RunningController {
  readonly url: string;
  readonly dataDir: string;
  readonly tokenFile: string;
  readonly token: string;
  readonly identity: Identity;
  readonly identityCreated: boolean;
  readonly app: FastifyInstance;
  readonly service: ControllerService;
  readonly store: Store;
  /** The ZeroTier side; only while this process leads (always, on SQLite), else these throw. */
  readonly node: ZeroTierNode;
  readonly networkController: NetworkController;
  readonly prober: RouterProber;
  readonly topology: Topology;
  /** The UDP ports the ZeroTier node listens on (none while following). */
  readonly udpPorts: { ipv4?: number; ipv6?: number };
  /** Whether this process serves ZeroTier UDP and probes routers now. */
  readonly leading: boolean;
  /** Resolves once this process leads. */
  whenLeading(): Promise<void>;
  close(): Promise<void>;
}

export { DATABASE_FILE };

export function createLogger(level = process.env.ROUTEPLANE_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'token',
        'req.headers["x-zt1-auth"]',
        'req.headers.authorization',
        '*.secret',
        'identity.privateKey',
      ],
      censor: '[redacted]',
    },
  });
}

function udpBindOptions(
  address: string | undefined,
): { ipv4?: string | false; ipv6?: string | false } | undefined {
  if (address === undefined) return undefined;
  return address.includes(':') ? { ipv4: false, ipv6: address } : { ipv4: address, ipv6: false };
}

export async function startController(options: ControllerOptions): Promise<RunningController> {
  const logger = options.logger ?? createLogger();
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const postgres = isPostgresUrl(options.databaseUrl);
  const connection = postgres
    ? { connectionString: options.databaseUrl!, schema: options.databaseSchema }
    : undefined;

  // Open the store first: it is fast, while a first-start identity takes a few seconds in workers.
  const store: Store = await openStore({
    dataDir,
    databaseUrl: options.databaseUrl,
    schema: options.databaseSchema,
    onListenerState: (state, error) =>
      state === 'lost'
        ? logger.warn({ err: error }, 'lost the PostgreSQL change listener; reconnecting')
        : logger.debug('listening for changes from other controller processes'),
    backgroundCheckpoints: {
      onError: (error) => logger.warn({ err: error }, 'background WAL checkpoint'),
    },
  });
  let leader: PostgresLeaderElection | undefined;
  let protocol: ProtocolSide | undefined;
  try {
    const [{ identity, created, repairedPermissions }, local] = await Promise.all([
      loadControllerIdentity(dataDir, store),
      loadOrCreateToken(dataDir, options.token),
    ]);
    // Every process on a shared database answers to the same admin token: the first one's.
    let token = local.token;
    if (postgres && local.source !== 'environment') {
      token = await store.transaction((tx) => tx.claimSetting(ADMIN_TOKEN_SETTING, local.token));
      if (token !== local.token) await saveToken(dataDir, token);
    }
    if (repairedPermissions)
      logger.warn({ dataDir }, 'identity.secret was readable by others; set its mode to 0600');
    if (created) logger.info({ address: identity.address }, 'generated a new controller identity');
    const registry = createRegistry();
    const service = new ControllerService({ store, controllerAddress: identity.address });
    installRouterMetrics(registry, service.routers);
    const protocolOptions = { options, dataDir, identity, service, store, logger, registry };

    let leading = false;
    let leadingWaiters: Array<() => void> = [];
    let transition: Promise<void> = Promise.resolve();
    // One change at a time, in order; a failed one does not block the next.
    const setLeading = (next: boolean): Promise<void> => {
      const run = transition.then(async () => {
        if (next === leading) return;
        if (next) {
          protocol = await startProtocolSide(protocolOptions, postgres);
          service.routers.probing = true;
          leading = true;
          logger.info(
            { database: describeStoreLocation({ dataDir, databaseUrl: options.databaseUrl }) },
            'leading: serving ZeroTier UDP and probing subnet routers',
          );
          for (const wake of leadingWaiters.splice(0)) wake();
        } else {
          logger.warn('no longer leading: ZeroTier UDP and router probes stop here');
          leading = false;
          service.routers.probing = false;
          const stopping = protocol;
          protocol = undefined;
          await stopping?.stop();
        }
      });
      transition = run.catch(() => undefined);
      return run;
    };

    if (connection) {
      service.routers.probing = false;
      leader = new PostgresLeaderElection({
        ...connection,
        pollMs: options.leaderPollMs,
        onChange: (next) => setLeading(next),
        onError: (error) => logger.warn({ err: error }, 'leader election: giving the lead back, retrying'),
      });
      await leader.start();
      await transition;
    } else {
      await setLeading(true);
    }

    const followerPeers = sightingsOfLeader(service, options.udpPort, () => protocol === undefined);
    const app = await buildApi({
      service,
      token,
      publicIdentity: identity.toString(false),
      // The bound port once this process leads (an ephemeral --udp-port 0 is known only then).
      udpPort: () => protocol?.node.boundPorts.ipv4 ?? protocol?.node.boundPorts.ipv6 ?? options.udpPort,
      version: VERSION,
      logger,
      registry,
      uiDir: options.uiDir,
      peers: {
        listPeers: () => protocol?.node.peers().map(toPeerJson) ?? followerPeers.list(),
        getPeer: (address) => {
          if (!protocol) return followerPeers.list().find((peer) => peer.address === address);
          const peer = protocol.node.peer(address);
          return peer && toPeerJson(peer);
        },
      },
    });
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
    const current = (): ProtocolSide => {
      if (!protocol) throw new Error('this controller process is not the leader: it serves no ZeroTier UDP');
      return protocol;
    };

    const backups = store.kind === 'sqlite' ? startPeriodicBackup(dataDir, options, logger) : undefined;

    let closing: Promise<void> | undefined;
    return {
      url,
      dataDir,
      tokenFile: tokenPath(dataDir),
      token,
      identity,
      identityCreated: created,
      app,
      service,
      store,
      get node() {
        return current().node;
      },
      get networkController() {
        return current().networkController;
      },
      get prober() {
        return current().prober;
      },
      get topology() {
        return current().topology;
      },
      get udpPorts() {
        return protocol?.node.boundPorts ?? {};
      },
      get leading() {
        return leading;
      },
      whenLeading() {
        return leading ? Promise.resolve() : new Promise<void>((resolve) => leadingWaiters.push(resolve));
      },
      close() {
        closing ??= (async () => {
          await backups?.stop();
          followerPeers.stop();
          await app.close();
          await leader?.stop();
          await setLeading(false);
          leadingWaiters = [];
          await service.close();
          await store.close();
          await closeIdentityWorkers();
        })();
        return closing;
      },
    };
  } catch (error) {
    await leader?.stop().catch(() => undefined);
    await protocol?.stop().catch(() => undefined);
    await store.close();
    await closeIdentityWorkers();
    throw error;
  }
}

/** How often a following process re-reads where members were last seen (the leader writes every 5 s). */
const SIGHTINGS_REFRESH_MS = 5000;

/**
 * `GET /peer` on a process that follows: the members the leader saw in the online window, read from
 * the database every few seconds (the API's peer source is synchronous).
 */
function sightingsOfLeader(
  service: ControllerService,
  udpPort: number,
  following: () => boolean,
): { list(): PeerJson[]; stop(): void } {
  let peers: PeerJson[] = [];
  const refresh = () => {
    if (!following()) {
      peers = [];
      return;
    }
    service
      .recentlySeen(Date.now() - ONLINE_WINDOW_MS)
      .then((seen) => (peers = peerJsonFromSightings(seen, udpPort)))
      .catch(() => undefined);
  };
  refresh();
  const timer = setInterval(refresh, SIGHTINGS_REFRESH_MS);
  timer.unref();
  return { list: () => peers, stop: () => clearInterval(timer) };
}

export const BACKUP_FILE = `${DATABASE_FILE}.backup`;
const DEFAULT_BACKUP_INTERVAL_MS = 60 * 60_000;

/** A fresh copy of the SQLite database every interval, so a broken disk write never costs everything. */
function startPeriodicBackup(
  dataDir: string,
  options: ControllerOptions,
  logger: Logger,
): { stop(): Promise<void> } | undefined {
  const interval = options.backupIntervalMs ?? DEFAULT_BACKUP_INTERVAL_MS;
  if (interval <= 0) return undefined;
  const source = sqliteFileOf({ dataDir, databaseUrl: options.databaseUrl });
  if (source === undefined) return undefined;
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= backupSqliteFile(source, join(dataDir, BACKUP_FILE))
      .then(
        ({ pages }) => logger.debug({ pages }, 'database backed up'),
        (error: unknown) => logger.error({ err: error }, 'periodic database backup failed'),
      )
      .finally(() => (running = undefined));
  }, interval);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Where every process on a shared database keeps the admin token. */
const ADMIN_TOKEN_SETTING = 'controller.authtoken';

interface ProtocolSide {
  node: ZeroTierNode;
  networkController: NetworkController;
  prober: RouterProber;
  topology: Topology;
  stop(): Promise<void>;
}

/** The leader's part: ZeroTier UDP, config requests and pushes, subnet-router probes. */
async function startProtocolSide(
  context: {
    options: ControllerOptions;
    dataDir: string;
    identity: Identity;
    service: ControllerService;
    store: Store;
    logger: Logger;
    registry: ReturnType<typeof createRegistry>;
  },
  takingOver: boolean,
): Promise<ProtocolSide> {
  const { options, dataDir, identity, service, store, logger, registry } = context;
  const topology = await resolveTopology(identity, dataDir, options.planetFile);
  const node = new ZeroTierNode({
    identity,
    port: options.udpPort,
    bind: udpBindOptions(options.udpBind),
    roots: topology.roots,
    isRoot: topology.isRoot,
    planet: topology.planet,
    validateIdentity: cachedIdentityValidator(service, validateIdentity),
    logger,
    registry,
  });
  const networkController = new NetworkController({ node, service, identity, logger, registry });
  networkController.start();
  try {
    await node.start();
    // Subnet routers are probed from the start, so a router that died while we were down is found.
    await service.routers.load(store);
  } catch (error) {
    networkController.stop();
    await node.stop().catch(() => undefined);
    throw error;
  }
  const prober = new RouterProber({
    node,
    targets: () => service.routers.probeTargets(),
    onResult: (result) =>
      service.routers.noteHealth(
        result.address,
        result.answered ? { kind: 'answer', at: result.at } : { kind: 'miss', at: result.at },
      ),
    intervalMs: options.probeIntervalMs,
    timeoutMs: options.probeTimeoutMs,
  });
  prober.start();
  if (takingOver) {
    // Members the last leader served are still out there: reach them now rather than at their next
    // config request (up to a minute away), so changes keep flowing through a takeover.
    const resumed = await networkController.resumeRecentMembers().catch((error: unknown) => {
      logger.warn({ err: error }, 'could not resume the members of the previous leader');
      return 0;
    });
    if (resumed > 0) logger.info({ members: resumed }, 'resumed members seen by the previous leader');
  }
  return {
    node,
    networkController,
    prober,
    topology,
    async stop() {
      prober.stop();
      networkController.stop();
      await node.stop();
    },
  };
}
