// The 128-route gauge: how many routes a member of this network can be sent, against ZeroTier's
// hard limit.
import { routeGauge } from '../lib/route-gauge.ts';

export function RouteGaugeView(props: { count: number; limit?: number; compact?: boolean }) {
  const gauge = routeGauge(props.count, props.limit);
  return (
    <div class={`gauge gauge-${gauge.level}${props.compact ? ' gauge-compact' : ''}`}>
      <div
        class="gauge-track"
        role="meter"
        aria-label="Routes per member"
        aria-valuemin={0}
        aria-valuemax={gauge.limit}
        aria-valuenow={gauge.count}
        aria-valuetext={gauge.label}
      >
        <div class="gauge-fill" style={{ width: `${(gauge.ratio * 100).toFixed(1)}%` }} />
      </div>
      <span class="gauge-label">{gauge.label}</span>
    </div>
  );
}
