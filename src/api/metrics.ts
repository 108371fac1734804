// Prometheus metrics at GET /metrics: process defaults, HTTP latency per route, and controller gauges.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ControllerService } from '../service/controller-service.ts';

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'routeplane_' });
  return registry;
}

export function installMetrics(app: FastifyInstance, registry: Registry, service: ControllerService): void {
  const duration = new Histogram({
    name: 'routeplane_http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'routeplane_http_errors_total',
    help: 'HTTP responses with a 4xx or 5xx status, by route and status',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  new Gauge({
    name: 'routeplane_networks',
    help: 'Networks served by this controller',
    registers: [registry],
    async collect() {
      this.set((await service.listNetworkIds()).length);
    },
  });
  new Gauge({
    name: 'routeplane_members',
    help: 'Members per network and authorization state',
    labelNames: ['network', 'authorized'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const id of await service.listNetworkIds()) {
        const counts = await service.countMembers(id);
        this.set({ network: id, authorized: 'true' }, counts.authorized);
        this.set({ network: id, authorized: 'false' }, counts.total - counts.authorized);
      }
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    duration.observe({ method: request.method, route, status }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 400) errors.inc({ route, status });
  });

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics', security: [{ zt1Auth: [] }] } },
    async (_request, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    },
  );
}
