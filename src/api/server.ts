// Builds the HTTP API: one Fastify instance with auth, JSON parsing, error mapping, the stock
// `/controller` API, node endpoints, metrics and OpenAPI. Listening is the caller's business.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerService } from '../service/controller-service.ts';
import { installTokenAuth } from './auth.ts';
import { registerControllerRoutes } from './compat/controller-routes.ts';
import { registerNodeRoutes, type PeerSource } from './compat/node-routes.ts';
import { installErrorHandling, pathOf } from './errors.ts';
import { MAX_BODY_BYTES, installJsonBodyParser } from './json-body.ts';
import { createRegistry, installMetrics } from './metrics.ts';
import { installOpenApi } from './openapi.ts';
import { registerRoutingRoutes } from './v1/routing-routes.ts';
import { registerTokenRoutes } from './v1/token-routes.ts';
import { registerRouterRoutes } from './v1/router-routes.ts';
import { registerEventStream, type EventStreamOptions } from './v1/event-stream.ts';
import { installUi } from './ui-static.ts';

export interface ApiOptions {
  service: ControllerService;
  token: string;
  publicIdentity: string;
  /** The UDP port for `/status`: a number, or read on each request (bound after a leader election). */
  udpPort: number | (() => number);
  version: string;
  logger?: Logger;
  registry?: Registry;
  peers?: PeerSource;
  clock?: () => number;
  /** The built dashboard served at /ui (default dist/ui); null serves none. */
  uiDir?: string | null;
  /** Poll and heartbeat intervals of /api/v1/events/stream (tests shorten them). */
  eventStream?: EventStreamOptions;
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const clock = options.clock ?? Date.now;
  const app = Fastify({
    loggerInstance: options.logger,
    // Fastify's per-request log lines cost more than a request at info level; see the hook below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    // zerotier-one ignores a trailing slash; so do we.
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  installErrorHandling(app);
  installJsonBodyParser(app);
  installTokenAuth(app, options.token, options.service.tokens);
  await installOpenApi(app, options.version);

  app.addHook('onResponse', async (request, reply) => {
    // Per-request logs only at debug level: they cost more than the request at info level.
    if (request.log.level === 'debug' || request.log.level === 'trace') {
      request.log.debug(
        {
          method: request.method,
          path: pathOf(request.url),
          status: reply.statusCode,
          ms: reply.elapsedTime,
        },
        'request',
      );
    }
  });

  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'Liveness: 200 when serving' } },
    async () => ({
      ok: true,
    }),
  );

  registerControllerRoutes(app, options.service, clock);
  registerRoutingRoutes(app, options.service);
  registerTokenRoutes(app, options.service.tokens);
  registerRouterRoutes(app, options.service);
  registerEventStream(app, options.service, options.eventStream);
  if (options.uiDir !== null) await installUi(app, options.uiDir);
  registerNodeRoutes(app, {
    address: options.service.controllerAddress,
    publicIdentity: options.publicIdentity,
    udpPort: typeof options.udpPort === 'number' ? () => options.udpPort as number : options.udpPort,
    version: options.version,
    clock,
    peers: options.peers,
  });
  installMetrics(app, options.registry ?? createRegistry(), options.service);
  return app;
}
