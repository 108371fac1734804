// One network: its name and health at a glance (members, the 128-route gauge, problems), then a
// section per concern. The network and its routes report are loaded here and shared by the
// sections; live events about this network reload them.
import { useCallback } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { LoadState } from '../components/load-state.tsx';
import { RouteGaugeView } from '../components/route-gauge-view.tsx';
import { useInterval } from '../hooks/use-now.ts';
import { useLiveEvents } from '../hooks/use-live.ts';
import { useResource } from '../hooks/use-resource.ts';
import type { EventJson, NetworkJson, RoutesReport } from '../lib/api-types.ts';
import { plural } from '../lib/format.ts';
import { networkHref, type NetworkTab } from '../lib/hash-route.ts';
import { sentTargets } from '../lib/route-gauge.ts';
import { NetworkEvents } from './network-events.tsx';
import { MembersTab } from './members-tab.tsx';
import { PictureTab } from './picture-tab.tsx';
import { RoutesTab } from './routes-tab.tsx';
import { SettingsTab } from './settings-tab.tsx';

const TAB_LABELS: Record<NetworkTab, string> = {
  members: 'Members',
  routes: 'Routes',
  picture: 'Picture',
  events: 'Events',
  settings: 'Settings',
};

/** Events after which the network's routes may look different. */
export function touchesRouting(event: EventJson, networkId: string): boolean {
  if (event.type.startsWith('ipam.')) return true;
  if (event.networkId !== networkId) return false;
  return (
    /^(route|router|network)\./.test(event.type) ||
    /^member\.(authorized|deauthorized|ips-changed|deleted)$/.test(event.type)
  );
}

export function NetworkPage(props: { networkId: string; tab: NetworkTab; member?: string }) {
  const { api } = useApp();
  const { networkId } = props;
  const network = useResource(
    (signal) => api.get<NetworkJson>(`/controller/network/${networkId}`, { signal }),
    [networkId],
  );
  const report = useResource(
    (signal) => api.get<RoutesReport>(`/api/v1/networks/${networkId}/routes`, { signal }),
    [networkId],
  );
  const reloadAll = useCallback(() => {
    network.reload();
    report.reload();
  }, [network.reload, report.reload]);
  useLiveEvents((e) => touchesRouting(e, networkId), reloadAll, 200);
  // Router health drifts between events (suspect, recovering): keep the report fresh.
  useInterval(report.reload, 10_000);

  const title = network.data ? network.data.name || '(unnamed network)' : 'Network';
  const problems = report.data?.problems ?? [];
  return (
    <section class="page">
      <div class="page-head">
        <div>
          <p class="breadcrumb">
            <a href="#/networks">Networks</a> /
          </p>
          <h1 tabIndex={-1}>{title}</h1>
          <p class="muted">
            <code>{networkId}</code>
            {report.data && <> · {plural(report.data.authorizedMembers, 'authorised member')}</>}
            {network.data?.ipamSubnet && (
              <>
                {' '}
                · IPAM <code>{network.data.ipamSubnet}</code>
                {network.data.routesFromIpam ? ' (routes from IPAM)' : ''}
              </>
            )}
          </p>
        </div>
        {report.data && <RouteGaugeView count={sentTargets(report.data.routes)} limit={report.data.limit} />}
      </div>
      {network.error && <LoadState resource={network} what="the network" />}
      {problems.length > 0 && (
        <div class="warning-box" role="status">
          <strong>Route problems</strong>
          <ul>
            {problems.map((p) => (
              <li key={p.code + p.message}>{p.message}</li>
            ))}
          </ul>
        </div>
      )}
      <nav class="tabs" aria-label="Network sections">
        {(Object.keys(TAB_LABELS) as NetworkTab[]).map((tab) => (
          <a
            key={tab}
            href={networkHref(networkId, tab)}
            aria-current={props.tab === tab ? 'page' : undefined}
          >
            {TAB_LABELS[tab]}
          </a>
        ))}
      </nav>
      <div class="tab-panel">
        {props.tab === 'members' && (
          <MembersTab networkId={networkId} member={props.member} report={report} />
        )}
        {props.tab === 'routes' && <RoutesTab networkId={networkId} report={report} />}
        {props.tab === 'picture' && <PictureTab networkId={networkId} report={report} />}
        {props.tab === 'events' && <NetworkEvents networkId={networkId} />}
        {props.tab === 'settings' && (
          <SettingsTab networkId={networkId} network={network} report={report} onSaved={reloadAll} />
        )}
      </div>
    </section>
  );
}
