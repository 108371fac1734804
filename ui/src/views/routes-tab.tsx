// Every route of the network with where it comes from, its gateway and who gets it; then, per
// advertised prefix, its routers with approval, primary, health and load, and the buttons to
// approve, reject and drain them.
import { useMemo, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { HealthBadge } from '../components/health-badge.tsx';
import { LoadState } from '../components/load-state.tsx';
import { navigate } from '../hooks/use-hash-route.ts';
import { useAction } from '../hooks/use-action.ts';
import { namesOf, useMembers } from '../hooks/use-member-names.ts';
import type { Resource } from '../hooks/use-resource.ts';
import type { AdvertisedPrefix, RouteView, RouterView, RoutesReport } from '../lib/api-types.ts';
import { formatAgo, formatCount } from '../lib/format.ts';
import { memberCountsOf } from '../lib/member-groups.ts';
import { networkHref } from '../lib/hash-route.ts';
import { useNow } from '../hooks/use-now.ts';

const SOURCE_HELP: Record<string, string> = {
  manual: 'written through the API or the settings',
  ipam: 'generated from the IPAM subnet tree',
  advertised: 'advertised by a subnet router',
};

function compareRoutes(a: RouteView, b: RouteView): number {
  const order = { ipam: 0, manual: 1, advertised: 2 };
  return order[a.source] - order[b.source] || a.target.localeCompare(b.target, 'en', { numeric: true });
}

export function RoutesTab(props: { networkId: string; report: Resource<RoutesReport> }) {
  const { networkId, report } = props;
  const data = report.data;
  const routerAddresses = useMemo(
    () => (data?.advertised ?? []).flatMap((p) => p.routers.map((r) => r.member)),
    [data],
  );
  const members = useMembers(networkId, routerAddresses);
  const names = useMemo(() => namesOf(members), [members]);
  // Members routed through each router, per prefix (from the routes each is sent).
  const load = useMemo(() => {
    const map = new Map<string, Map<string, number>>();
    for (const g of data ? memberCountsOf(data.advertised, data.routes) : []) {
      const perRouter = map.get(g.prefix) ?? new Map<string, number>();
      perRouter.set(g.router, g.count);
      map.set(g.prefix, perRouter);
    }
    return map;
  }, [data]);
  const [lookup, setLookup] = useState('');
  if (!data) return <LoadState resource={report} what="the routes" />;
  const routes = [...data.routes].sort(compareRoutes);

  return (
    <div class="stack">
      <section aria-labelledby="effective-title">
        <h2 id="effective-title">Effective routes</h2>
        <p class="muted">
          What members are sent, from every source · strategy over the limit:{' '}
          <strong>{data.routeLimitStrategy}</strong>
          {data.aggregated && (
            <>
              {' '}
              · {data.aggregated.before} routes aggregated into {data.aggregated.after}
            </>
          )}
        </p>
        {routes.length === 0 ? (
          <p class="empty">
            No routes yet. Add manual routes or an IPAM subnet in{' '}
            <a href={networkHref(networkId, 'settings')}>Settings</a>.
          </p>
        ) : (
          <div class="table-wrap">
            <table class="data" data-testid="effective-routes">
              <caption class="visually-hidden">Effective routes of this network</caption>
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Via</th>
                  <th scope="col">Source</th>
                  <th scope="col">Status</th>
                  <th scope="col">Members</th>
                </tr>
              </thead>
              <tbody>
                {routes.map((route) => (
                  <tr key={`${route.target} ${route.via} ${route.source}`}>
                    <td>
                      <code>{route.target}</code>
                    </td>
                    <td>{route.via ?? <span class="muted">on link</span>}</td>
                    <td>
                      <span class={`badge source-${route.source}`} title={SOURCE_HELP[route.source]}>
                        {route.source}
                      </span>
                      {route.source === 'advertised' && route.owner && (
                        <span class="muted"> by {names.get(route.owner) ?? route.owner}</span>
                      )}
                    </td>
                    <td>
                      {route.status === 'active' ? (
                        route.aggregates ? (
                          <>aggregate of {route.aggregates.length}</>
                        ) : (
                          'sent'
                        )
                      ) : (
                        <>
                          merged into <code>{route.aggregatedInto}</code>
                        </>
                      )}
                    </td>
                    <td>{formatCount(route.members)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="advertised-title">
        <h2 id="advertised-title">Advertised prefixes</h2>
        {data.advertised.length === 0 ? (
          <p class="empty">
            No subnet router advertises a prefix. A router does with{' '}
            <code>PUT /api/v1/networks/{networkId}/members/&lt;address&gt;/advertised</code>.
          </p>
        ) : (
          data.advertised.map((prefix) => (
            <PrefixCard
              key={prefix.prefix}
              members={load.get(prefix.prefix) ?? new Map()}
              networkId={networkId}
              prefix={prefix}
              names={names}
              onChange={report.reload}
            />
          ))
        )}
      </section>

      <section aria-labelledby="lookup-title">
        <h2 id="lookup-title">Routes of one member</h2>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const address = lookup.trim().toLowerCase();
            if (/^[0-9a-f]{10}$/.test(address)) navigate(networkHref(networkId, 'members', address));
          }}
        >
          <label for="route-lookup">Member address</label>
          <input
            id="route-lookup"
            value={lookup}
            maxLength={10}
            pattern="[0-9a-fA-F]{10}"
            placeholder="10 hex digits"
            onInput={(e) => setLookup(e.currentTarget.value)}
          />
          <button type="submit" class="button">
            Show its routes
          </button>
        </form>
      </section>
    </div>
  );
}

function PrefixCard(props: {
  networkId: string;
  prefix: AdvertisedPrefix;
  members: ReadonlyMap<string, number>;
  names: ReadonlyMap<string, string>;
  onChange: () => void;
}) {
  const { prefix } = props;
  const primary = prefix.primary ? (props.names.get(prefix.primary) ?? prefix.primary) : null;
  return (
    <article class="card prefix-card" aria-labelledby={`prefix-${prefix.prefix}`} data-prefix={prefix.prefix}>
      <header class="prefix-head">
        <h3 id={`prefix-${prefix.prefix}`}>
          <code>{prefix.prefix}</code>
        </h3>
        <span class="muted">
          {prefix.steering === 'primary' ? (
            <>
              primary: <strong data-testid="primary">{primary ?? 'none'}</strong>
            </>
          ) : (
            'spread over healthy routers'
          )}
        </span>
      </header>
      {prefix.message && <p class="muted">{prefix.message}</p>}
      {prefix.problems.length > 0 && (
        <ul class="problems">
          {prefix.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div class="table-wrap">
        <table class="data">
          <caption class="visually-hidden">Routers advertising {prefix.prefix}</caption>
          <thead>
            <tr>
              <th scope="col">Router</th>
              <th scope="col">Approval</th>
              <th scope="col">Role</th>
              <th scope="col">Health</th>
              <th scope="col" class="col-optional">
                Metric
              </th>
              <th scope="col">Members</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {prefix.routers.map((router) => (
              <RouterRow key={router.member} {...props} router={router} />
            ))}
          </tbody>
        </table>
      </div>
    </article>
  );
}

function RouterRow(props: {
  networkId: string;
  prefix: AdvertisedPrefix;
  members: ReadonlyMap<string, number>;
  router: RouterView;
  names: ReadonlyMap<string, string>;
  onChange: () => void;
}) {
  const { api } = useApp();
  const [run, busy] = useAction();
  const now = useNow();
  const { router, networkId } = props;
  const name = props.names.get(router.member) ?? router.member;
  const draining = router.health === 'draining';
  const act = (fn: () => Promise<unknown>, message: string) => run(fn, message).then(props.onChange);
  const approval = (verb: 'approve' | 'reject') =>
    act(
      () =>
        api.send('POST', `/api/v1/networks/${networkId}/routes/${verb}`, {
          member: router.member,
          prefix: router.prefix,
        }),
      `${router.prefix} ${verb === 'approve' ? 'approved' : 'rejected'} for ${name}`,
    );
  return (
    <tr data-router={router.member}>
      <td>
        <a href={networkHref(networkId, 'members', router.member)}>{name}</a>
        {name !== router.member && <code class="muted"> {router.member}</code>}
      </td>
      <td>
        {router.approved ? (
          <span
            class="badge ok"
            title={router.approvedAt ? `approved ${formatAgo(router.approvedAt, now)}` : undefined}
          >
            approved{router.approvedBy && router.approvedBy !== 'api' ? ` (${router.approvedBy})` : ''}
          </span>
        ) : (
          <span class="badge waiting">awaiting approval</span>
        )}
      </td>
      <td>
        {router.primary ? (
          <strong>primary</strong>
        ) : router.approved ? (
          <span
            class="muted"
            title={
              router.standby
                ? "its routes are installed beneath the primary's: a move back adds nothing"
                : undefined
            }
          >
            {router.standby
              ? `standby, routes installed${router.eligible ? '' : ` (${router.reason ?? 'not eligible'})`}`
              : router.eligible
                ? 'standby'
                : (router.reason ?? 'not eligible')}
          </span>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td>
        <HealthBadge health={router.health} />
      </td>
      <td class="col-optional">{router.metric}</td>
      <td>{formatCount(props.members.get(router.member) ?? 0)}</td>
      <td class="row-actions">
        {router.approved ? (
          <button
            type="button"
            class="button small"
            disabled={busy}
            onClick={() => approval('reject')}
            aria-label={`Reject ${router.prefix} from ${name}`}
          >
            Reject
          </button>
        ) : (
          <button
            type="button"
            class="button small primary"
            disabled={busy}
            onClick={() => approval('approve')}
            aria-label={`Approve ${router.prefix} from ${name}`}
          >
            Approve
          </button>
        )}
        <button
          type="button"
          class="button small"
          disabled={busy}
          aria-label={`${draining ? 'Undrain' : 'Drain'} ${name}`}
          onClick={() =>
            act(
              () =>
                api.send('POST', `/api/v1/networks/${networkId}/members/${router.member}/drain`, {
                  draining: !draining,
                }),
              draining ? `${name} back in service` : `${name} draining: members move to another router`,
            )
          }
        >
          {draining ? 'Undrain' : 'Drain'}
        </button>
      </td>
    </tr>
  );
}
