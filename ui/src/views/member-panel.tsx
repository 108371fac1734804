// One member in detail: rename, authorise, what it is (addresses, client, where it was last seen)
// and exactly the routes it is sent, with their source; for a router, what it advertises and a
// drain switch.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { HealthBadge } from '../components/health-badge.tsx';
import { LoadState } from '../components/load-state.tsx';
import { navigate } from '../hooks/use-hash-route.ts';
import { useAction } from '../hooks/use-action.ts';
import { useLiveEvents } from '../hooks/use-live.ts';
import { useNow } from '../hooks/use-now.ts';
import { useResource, type Resource } from '../hooks/use-resource.ts';
import type { MemberJson, MemberRoutes, RoutesReport } from '../lib/api-types.ts';
import { formatAgo, formatTime, formatVersion } from '../lib/format.ts';
import { networkHref } from '../lib/hash-route.ts';
import { touchesRouting } from './network-page.tsx';

/** Linux clients get on-link IPv4 routes as via 0.0.0.0 (see client-routes.ts); same meaning as none. */
const onLink = (via: string | null) => via === null || via === '0.0.0.0' || via === '::';

export function MemberPanel(props: {
  networkId: string;
  address: string;
  report: Resource<RoutesReport>;
  onChanged: (member: MemberJson) => void;
  onDeleted: (address: string) => void;
}) {
  const { api } = useApp();
  const { networkId, address } = props;
  const base = `/controller/network/${networkId}/member/${address}`;
  const member = useResource((signal) => api.get<MemberJson>(base, { signal }), [base]);
  const routes = useResource(
    (signal) => api.get<MemberRoutes>(`/api/v1/networks/${networkId}/members/${address}/routes`, { signal }),
    [networkId, address],
  );
  useLiveEvents(
    (e) => touchesRouting(e, networkId) || (e.networkId === networkId && e.memberAddress === address),
    () => {
      member.reload();
      routes.reload();
    },
  );
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [address]);
  const now = useNow();
  const [run, busy] = useAction();
  const [name, setName] = useState<string | null>(null);
  const [ips, setIps] = useState<string | null>(null);
  const m = member.data;
  const label = m?.name || address;
  const advertised = (props.report.data?.advertised ?? []).flatMap((p) =>
    p.routers.filter((r) => r.member === address).map((r) => ({ ...r, steering: p.steering })),
  );
  const draining = advertised.some((r) => r.health === 'draining');

  const update = async (body: Record<string, unknown>, success: string) => {
    const next = await run(() => api.send<MemberJson>('POST', base, body), success);
    if (next) {
      member.set(() => next);
      props.onChanged(next);
    }
    return next;
  };

  return (
    <aside class="card member-panel" aria-labelledby="member-panel-title">
      <div class="panel-head">
        <h2 id="member-panel-title" ref={heading} tabIndex={-1}>
          {label}
        </h2>
        <a href={networkHref(networkId, 'members')} class="button small">
          Close<span class="visually-hidden"> member details</span>
        </a>
      </div>
      <LoadState resource={member} what="the member" />
      {m && (
        <>
          <dl class="facts">
            <dt>Address</dt>
            <dd>
              <code>{m.address}</code>
            </dd>
            <dt>Access</dt>
            <dd>
              {m.authorized ? (
                <span class="badge ok">authorised</span>
              ) : (
                <span class="badge waiting">waiting</span>
              )}{' '}
              <button
                type="button"
                class={m.authorized ? 'button small' : 'button small primary'}
                disabled={busy}
                onClick={() =>
                  update(
                    { authorized: !m.authorized },
                    `${label} ${m.authorized ? 'deauthorised' : 'authorised'}`,
                  )
                }
              >
                {m.authorized ? 'Deauthorise' : 'Authorise'}
              </button>
            </dd>
            <dt>IP addresses</dt>
            <dd>{m.ipAssignments.length > 0 ? m.ipAssignments.join(', ') : 'none'}</dd>
            <dt>Child subnet</dt>
            <dd>{m.ipamChildSubnet ? <code>{m.ipamChildSubnet}</code> : '—'}</dd>
            <dt>Status</dt>
            <dd>
              {m.online ? 'online' : 'offline'}
              {m.lastSeen
                ? `, last seen ${formatAgo(m.lastSeen, now)} (${formatTime(m.lastSeen)})`
                : ', never seen'}
            </dd>
            <dt>Seen from</dt>
            <dd>{m.physicalAddress ?? '—'}</dd>
            <dt>Client</dt>
            <dd>{formatVersion(m)}</dd>
          </dl>
          <form
            class="inline-form"
            onSubmit={async (e) => {
              e.preventDefault();
              const next = await update({ name: (name ?? m.name ?? '').trim() }, 'Name saved');
              if (next) setName(null);
            }}
          >
            <label for="member-name">Name</label>
            <input
              id="member-name"
              value={name ?? m.name ?? ''}
              onInput={(e) => setName(e.currentTarget.value)}
              placeholder="e.g. office-gateway"
            />
            <button type="submit" class="button" disabled={busy || name === null}>
              Rename
            </button>
          </form>
          <form
            class="inline-form"
            onSubmit={async (e) => {
              e.preventDefault();
              const list = (ips ?? m.ipAssignments.join(', ')).split(/[\s,]+/).filter(Boolean);
              const next = await update({ ipAssignments: list }, 'Addresses saved');
              if (next) setIps(null);
            }}
          >
            <label for="member-ips">IP addresses</label>
            <input
              id="member-ips"
              value={ips ?? m.ipAssignments.join(', ')}
              aria-describedby="member-ips-help"
              onInput={(e) => setIps(e.currentTarget.value)}
              placeholder="10.147.17.20, fd00::20"
            />
            <button type="submit" class="button" disabled={busy || ips === null}>
              Set addresses
            </button>
            <span id="member-ips-help" class="help">
              Static addresses, comma separated; empty to let the pools assign one.
            </span>
          </form>
        </>
      )}

      {advertised.length > 0 && (
        <section aria-labelledby="member-router-title">
          <h3 id="member-router-title">Subnet router</h3>
          <ul class="plain">
            {advertised.map((r) => (
              <li key={r.prefix}>
                <code>{r.prefix}</code> {r.approved ? 'approved' : 'awaiting approval'}
                {r.primary && ' · primary'} · <HealthBadge health={r.health} /> · metric {r.metric}
              </li>
            ))}
          </ul>
          <button
            type="button"
            class="button"
            disabled={busy}
            onClick={() =>
              run(
                () =>
                  api.send('POST', `/api/v1/networks/${networkId}/members/${address}/drain`, {
                    draining: !draining,
                  }),
                draining ? `${label} back in service` : `${label} draining`,
              ).then(() => props.report.reload())
            }
          >
            {draining ? 'Undrain' : 'Drain'}
          </button>
        </section>
      )}

      <section aria-labelledby="member-routes-title">
        <h3 id="member-routes-title">Routes it receives</h3>
        <LoadState resource={routes} what="its routes" />
        {routes.data && (
          <>
            <p class="muted">
              {routes.data.routes.length} route{routes.data.routes.length === 1 ? '' : 's'} in network
              revision {routes.data.revision}
              {routes.data.platform ? ` · ${routes.data.platform}` : ''}
            </p>
            {routes.data.routes.length > 0 && (
              <table class="data compact">
                <caption class="visually-hidden">Routes sent to {label}</caption>
                <thead>
                  <tr>
                    <th scope="col">Target</th>
                    <th scope="col">Via</th>
                    <th scope="col">Source</th>
                  </tr>
                </thead>
                <tbody>
                  {routes.data.routes.map((r) => (
                    <tr key={`${r.target} ${r.via}`}>
                      <td>
                        <code>{r.target}</code>
                      </td>
                      <td>
                        {onLink(r.via) ? (
                          <span class="muted" title={r.via ? `sent as via ${r.via}: on link` : undefined}>
                            on link
                          </span>
                        ) : (
                          r.via
                        )}
                      </td>
                      <td>
                        <span class={`badge source-${r.source}`}>{r.source}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </section>

      <div class="actions">
        <ConfirmButton
          label="Delete member"
          question={`Delete ${label}? It can join again and will wait for authorisation.`}
          onConfirm={async () => {
            const ok = await run(() => api.send('DELETE', base), `${label} deleted`);
            if (ok !== undefined) {
              props.onDeleted(address);
              navigate(networkHref(networkId, 'members'));
            }
          }}
        />
      </div>
    </aside>
  );
}
