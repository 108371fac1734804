// Subnet router gauges and counters for /metrics: each router's health state, the primary of each
// prefix, and how often primaries changed (failover, failback, drain, lost) per network and prefix.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SubnetRouters } from '../service/subnet-routers.ts';

const STATES = ['healthy', 'suspect', 'down', 'draining'] as const;

export function installRouterMetrics(registry: Registry, routers: SubnetRouters): void {
  new Gauge({
    name: 'routeplane_router_health',
    help: 'Subnet router health: 1 for the state the router is in',
    labelNames: ['router', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const router of routers.probeTargets()) {
        const state = routers.healthStateOf(router);
        for (const s of STATES) this.set({ router, state: s }, s === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'routeplane_route_primary',
    help: 'The primary router of each advertised prefix (primary steering): 1 per (network, prefix, router)',
    labelNames: ['network', 'prefix', 'router'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [network, prefix, router] of routers.primaries()) this.set({ network, prefix, router }, 1);
    },
  });
  const changes = new Counter({
    name: 'routeplane_route_primary_changes_total',
    help: 'Changes of the router carrying a prefix, by kind (failover, failback, drain, lost, initial)',
    labelNames: ['network', 'prefix', 'change'],
    registers: [registry],
  });
  const verdicts = new Counter({
    name: 'routeplane_router_verdicts_total',
    help: 'Router health verdict changes, by new state',
    labelNames: ['state'],
    registers: [registry],
  });
  routers.onSelectionChange = (network, prefix, change) => changes.inc({ network, prefix, change });
  routers.onVerdictChange = (state) => verdicts.inc({ state });
}
