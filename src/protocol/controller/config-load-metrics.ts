// Metrics of the config request pipeline under load: how requests fared in admission (served, shed
// because the queue was full or they waited too long, waiting now) and how often the store was
// spared by the decision cache.
import { Gauge, type Registry } from 'prom-client';
import type { ConfigAdmission } from './config-admission.ts';
import type { ConfigDecisionCache } from './config-decision-cache.ts';

export function registerConfigLoadMetrics(
  registry: Registry | undefined,
  admission: ConfigAdmission<unknown>,
  decisions: ConfigDecisionCache,
): void {
  const registers = registry ? [registry] : [];
  new Gauge({
    name: 'routeplane_config_admission',
    help: 'Config requests in admission: in progress, waiting by class, served and shed so far',
    labelNames: ['state'],
    registers,
    collect() {
      const s = admission.stats;
      this.set({ state: 'active' }, s.active);
      this.set({ state: 'waiting-first' }, s.queuedFirst);
      this.set({ state: 'waiting-refresh' }, s.queuedRefresh);
      this.set({ state: 'served' }, s.served);
      this.set({ state: 'shed-queue-full' }, s.shedQueueFull);
      this.set({ state: 'shed-expired' }, s.shedExpired);
    },
  });
  new Gauge({
    name: 'routeplane_config_decision_cache',
    help: 'Config requests answered from the decision cache (hit) or by the store (miss), and entries',
    labelNames: ['result'],
    registers,
    collect() {
      this.set({ result: 'hit' }, decisions.hits);
      this.set({ result: 'miss' }, decisions.misses);
      this.set({ result: 'entries' }, decisions.size);
    },
  });
}
