// The one place that wires concrete pieces together: data dir, identity, token, store, service, API.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApi } from './api/server.ts';
import { createRegistry } from './api/metrics.ts';
import { loadOrCreateToken, tokenPath } from './api/token-file.ts';
import { closeIdentityWorkers } from './protocol/identity-pool.ts';
import { loadOrCreateIdentity } from './protocol/identity-file.ts';
import type { Identity } from './protocol/identity.ts';
import { ControllerService } from './service/controller-service.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';
import { VERSION } from './version.ts';

export interface ControllerOptions {
  dataDir: string;
  host: string;
  port: number;
  udpPort: number;
  /** Overrides the token file (ROUTEPLANE_TOKEN). */
  token?: string;
  logger?: Logger;
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
  close(): Promise<void>;
}

export const DATABASE_FILE = 'controller.db';

export function createLogger(level = process.env.ROUTEPLANE_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: ['token', 'req.headers["x-zt1-auth"]', 'req.headers.authorization', '*.secret', 'identity.privateKey'],
      censor: '[redacted]',
    },
  });
}

export async function startController(options: ControllerOptions): Promise<RunningController> {
  const logger = options.logger ?? createLogger();
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });

  // Open the store first: it is fast, while a first-start identity takes a few seconds in workers.
  const store = await openSqliteStore({ file: join(dataDir, DATABASE_FILE) });
  try {
    const [{ identity, created }, { token }] = await Promise.all([
      loadOrCreateIdentity(dataDir),
      loadOrCreateToken(dataDir, options.token),
    ]);
    const service = new ControllerService({ store, controllerAddress: identity.address });
    const app = await buildApi({
      service,
      token,
      publicIdentity: identity.toString(false),
      udpPort: options.udpPort,
      version: VERSION,
      logger,
      registry: createRegistry(),
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
      close() {
        closing ??= (async () => {
          await app.close();
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
