// The one place that wires concrete pieces together: data dir, identity, token, store, service, API.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApi } from './api/server.ts';
import { installRouterMetrics } from './api/router-metrics.ts';
import { RouterProber } from './protocol/controller/router-prober.ts';
import { createRegistry } from './api/metrics.ts';
import { loadOrCreateToken, tokenPath } from './api/token-file.ts';
import { NetworkController } from './protocol/controller/network-controller.ts';
import { cachedIdentityValidator } from './protocol/controller/cached-identity-validation.ts';
import { closeIdentityWorkers, validateIdentity } from './protocol/identity-pool.ts';
import { loadOrCreateIdentity } from './protocol/identity-file.ts';
import type { Identity } from './protocol/identity.ts';
import { ZeroTierNode, toPeerJson } from './protocol/node/index.ts';
import { resolveTopology, type Topology } from './protocol/roots.ts';
import { ControllerService } from './service/controller-service.ts';
import { DATABASE_FILE } from './store/open-store.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
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
  readonly node: ZeroTierNode;
  readonly networkController: NetworkController;
  readonly prober: RouterProber;
  readonly topology: Topology;
  /** The UDP ports the ZeroTier node listens on. */
  readonly udpPorts: { ipv4?: number; ipv6?: number };
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

  // Open the store first: it is fast, while a first-start identity takes a few seconds in workers.
  const store = await openSqliteStore({ file: join(dataDir, DATABASE_FILE) });
  try {
    const [{ identity, created, repairedPermissions }, { token }] = await Promise.all([
      loadOrCreateIdentity(dataDir),
      loadOrCreateToken(dataDir, options.token),
    ]);
    if (repairedPermissions)
      logger.warn({ dataDir }, 'identity.secret was readable by others; set its mode to 0600');
    if (created) logger.info({ address: identity.address }, 'generated a new controller identity');
    const registry = createRegistry();
    const service = new ControllerService({ store, controllerAddress: identity.address });
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
    await node.start();
    // Subnet routers are probed from the start, so a router that died while we were down is found.
    await service.routers.load(store);
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
    installRouterMetrics(registry, service.routers);
    const app = await buildApi({
      service,
      token,
      publicIdentity: identity.toString(false),
      udpPort: node.boundPorts.ipv4 ?? node.boundPorts.ipv6 ?? options.udpPort,
      version: VERSION,
      logger,
      registry,
      uiDir: options.uiDir,
      peers: {
        listPeers: () => node.peers().map(toPeerJson),
        getPeer: (address) => {
          const peer = node.peer(address);
          return peer && toPeerJson(peer);
        },
      },
    });
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;

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
      node,
      networkController,
      prober,
      topology,
      udpPorts: node.boundPorts,
      close() {
        closing ??= (async () => {
          await app.close();
          prober.stop();
          networkController.stop();
          await node.stop();
          await service.close();
          await store.close();
          await closeIdentityWorkers();
        })();
        return closing;
      },
    };
  } catch (error) {
    await store.close();
    await closeIdentityWorkers();
    throw error;
  }
}
