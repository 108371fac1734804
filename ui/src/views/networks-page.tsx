// All networks at a glance (members, routes against the limit, IPAM binding) and a quick way to
// create one.
import { useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { IpamSelect } from '../components/ipam-select.tsx';
import { LoadState } from '../components/load-state.tsx';
import { RouteGaugeView } from '../components/route-gauge-view.tsx';
import { navigate } from '../hooks/use-hash-route.ts';
import { useAction } from '../hooks/use-action.ts';
import { useLiveEvents } from '../hooks/use-live.ts';
import { useResource } from '../hooks/use-resource.ts';
import type { IpamSubnet, NetworkJson } from '../lib/api-types.ts';
import { formatCount } from '../lib/format.ts';
import { networkHref } from '../lib/hash-route.ts';
import { createBodyOf, emptyForm } from '../lib/network-form.ts';

export function NetworksPage() {
  const { api } = useApp();
  const networks = useResource(
    (signal) =>
      api.get<{ data: NetworkJson[] }>('/unstable/controller/network', { signal }).then((r) => r.data),
    [],
  );
  useLiveEvents((e) => /^(network|member|route|ipam)\./.test(e.type), networks.reload, 1000);
  const list = networks.data ?? [];

  return (
    <section class="page">
      <div class="page-head">
        <h1 tabIndex={-1}>Networks</h1>
      </div>
      <LoadState resource={networks} what="the networks" />
      {networks.data && list.length === 0 && (
        <p class="muted">No networks yet. Create the first one below.</p>
      )}
      {list.length > 0 && (
        <div class="table-wrap">
          <table class="data">
            <caption class="visually-hidden">Networks of this controller</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Network ID</th>
                <th scope="col">Members</th>
                <th scope="col" class="col-optional">
                  Routes
                </th>
                <th scope="col" class="col-optional">
                  IPAM subnet
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((network) => (
                <tr key={network.id}>
                  <td>
                    <a href={networkHref(network.id)}>{network.name || '(unnamed)'}</a>
                  </td>
                  <td>
                    <code>{network.id}</code>
                  </td>
                  <td>
                    {formatCount(network.meta?.authorizedMemberCount ?? 0)} authorised
                    <span class="muted"> of {formatCount(network.meta?.totalMemberCount ?? 0)}</span>
                  </td>
                  <td class="col-optional">
                    <RouteGaugeView count={new Set(network.routes.map((r) => r.target)).size} compact />
                  </td>
                  <td class="col-optional">
                    {network.ipamSubnet ? (
                      <>
                        <code>{network.ipamSubnet}</code>
                        {network.routesFromIpam && <span class="badge source-ipam">routes from IPAM</span>}
                      </>
                    ) : (
                      <span class="muted">none</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateNetwork />
    </section>
  );
}

function CreateNetwork() {
  const { api } = useApp();
  const [form, setForm] = useState(emptyForm);
  const [errors, setErrors] = useState<string[]>([]);
  const [run, busy] = useAction();
  const subnets = useResource(
    (signal) => api.get<{ subnets: IpamSubnet[] }>('/api/v1/ipam/subnets', { signal }).then((r) => r.subnets),
    [],
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    const { body, errors: problems } = createBodyOf(form);
    setErrors(problems.map((p) => p.message));
    if (problems.length > 0) return;
    const created = await run(
      () => api.send<NetworkJson>('POST', '/controller/network', body),
      body.name ? `Network ${body.name} created` : 'Network created',
    );
    if (created) navigate(networkHref(created.id, 'members'));
  };

  return (
    <form class="card form-grid" onSubmit={submit} aria-labelledby="create-network-title">
      <h2 id="create-network-title">New network</h2>
      <div class="field">
        <label for="new-name">Name</label>
        <input
          id="new-name"
          value={form.name}
          onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for="new-ipam">IPAM subnet</label>
        <IpamSelect
          id="new-ipam"
          value={form.ipamSubnet}
          subnets={subnets.data}
          onChange={(ipamSubnet) => setForm({ ...form, ipamSubnet })}
        />
      </div>
      <div class="field">
        <label for="new-pool">Address pool</label>
        <input
          id="new-pool"
          placeholder="10.147.17.10-10.147.17.200"
          aria-describedby="new-pool-help"
          value={form.pools}
          onInput={(e) => setForm({ ...form, pools: e.currentTarget.value })}
        />
        <span id="new-pool-help" class="help">
          Members get IPv4 addresses from it (start-end). Optional.
        </span>
      </div>
      <div class="field">
        <label for="new-route">Route</label>
        <input
          id="new-route"
          placeholder="10.147.17.0/24"
          aria-describedby="new-route-help"
          value={form.routes}
          onInput={(e) => setForm({ ...form, routes: e.currentTarget.value })}
        />
        <span id="new-route-help" class="help">
          The network's subnet. Pool addresses are handed out only inside a route.
        </span>
      </div>
      <div class="field checkbox">
        <input
          id="new-private"
          type="checkbox"
          checked={form.private}
          onChange={(e) => setForm({ ...form, private: e.currentTarget.checked })}
        />
        <label for="new-private">Private: members need authorisation</label>
      </div>
      {errors.length > 0 && (
        <ul class="field-error" role="alert">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>
          Create network
        </button>
      </div>
    </form>
  );
}
