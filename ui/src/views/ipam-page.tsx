// IPAM: the nested subnet trees with how full each subnet is, which network routes it, and forms
// to add and remove subnets. Children nest under the smallest subnet containing them on their own.
import { useMemo, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { LoadState } from '../components/load-state.tsx';
import { useAction } from '../hooks/use-action.ts';
import { useLiveEvents } from '../hooks/use-live.ts';
import { useResource } from '../hooks/use-resource.ts';
import type { IpamSubnet, SubnetTreeNode } from '../lib/api-types.ts';
import { formatCount, formatPercent, formatSize, plural } from '../lib/format.ts';
import { networkHref } from '../lib/hash-route.ts';
import { descendantCount, rootSubnets, treeRows, usageLevel, type TreeRow } from '../lib/ipam-tree.ts';

export function IpamPage() {
  const { api } = useApp();
  const trees = useResource(async (signal) => {
    const { subnets } = await api.get<{ subnets: IpamSubnet[] }>('/api/v1/ipam/subnets', { signal });
    return Promise.all(
      rootSubnets(subnets).map((root) =>
        api.get<SubnetTreeNode>(`/api/v1/ipam/subnets/${root.id}/tree`, { signal }),
      ),
    );
  }, []);
  useLiveEvents(
    (e) => e.type.startsWith('ipam.') || e.type === 'member.ips-changed' || e.type.startsWith('network.'),
    trees.reload,
    500,
  );
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [parentHint, setParentHint] = useState('');
  const rows = useMemo(() => treeRows(trees.data ?? [], collapsed), [trees.data, collapsed]);
  const toggle = (id: string) =>
    setCollapsed((set) => {
      const next = new Set(set);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section class="page">
      <div class="page-head">
        <h1 tabIndex={-1}>IPAM</h1>
        <p class="muted">
          Subnets nest by themselves: a prefix goes under the smallest subnet that contains it.
        </p>
      </div>
      <LoadState resource={trees} what="the subnets" />
      {trees.data && rows.length === 0 && (
        <p class="empty">No subnets yet. Add a parent such as 10.0.0.0/8 below.</p>
      )}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table class="data ipam" data-testid="ipam-tree">
            <caption class="visually-hidden">IPAM subnets, nested</caption>
            <thead>
              <tr>
                <th scope="col">Subnet</th>
                <th scope="col">Used</th>
                <th scope="col" class="col-optional">
                  Network
                </th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <SubnetRow
                  key={row.node.id}
                  row={row}
                  collapsed={collapsed.has(row.node.id)}
                  toggle={() => toggle(row.node.id)}
                  addChild={() => {
                    setParentHint(row.node.prefix);
                    document.getElementById('subnet-prefix')?.focus();
                  }}
                  onRemoved={trees.reload}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddSubnet parentHint={parentHint} onAdded={trees.reload} />
    </section>
  );
}

function SubnetRow(props: {
  row: TreeRow;
  collapsed: boolean;
  toggle: () => void;
  addChild: () => void;
  onRemoved: () => void;
}) {
  const { api } = useApp();
  const [run, busy] = useAction();
  const { node, depth, hasChildren } = props.row;
  const u = node.utilisation;
  const children = descendantCount(node);
  const [mode, setMode] = useState<'refuse' | 'promote' | 'delete'>('promote');
  const remove = async () => {
    const query = children > 0 ? `?children=${mode}` : '';
    const ok = await run(
      () => api.send('DELETE', `/api/v1/ipam/subnets/${node.id}${query}`),
      `${node.prefix} removed`,
    );
    if (ok !== undefined) props.onRemoved();
  };
  return (
    <tr data-prefix={node.prefix}>
      <td>
        <div class="tree-cell" style={{ paddingLeft: `${(depth - 1) * 1.25}rem` }}>
          {hasChildren ? (
            <button
              type="button"
              class="tree-toggle"
              aria-expanded={!props.collapsed}
              aria-label={`${props.collapsed ? 'Expand' : 'Collapse'} ${node.prefix}`}
              onClick={props.toggle}
            >
              {props.collapsed ? '▸' : '▾'}
            </button>
          ) : (
            <span class="tree-leaf" aria-hidden="true" />
          )}
          <span>
            <code>{node.prefix}</code>
            {node.name && node.name !== node.prefix && <span class="muted"> {node.name}</span>}
            {depth > 1 && <span class="visually-hidden">, level {depth}</span>}
          </span>
        </div>
      </td>
      <td>
        <div class={`usage usage-${usageLevel(u.ratio)}`}>
          <div
            class="usage-track"
            role="meter"
            aria-label={`Addresses used in ${node.prefix}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(u.ratio * 100)}
            aria-valuetext={`${formatCount(u.used)} of ${formatSize(u.size, u.sizeLog2)} (${formatPercent(u.ratio)})`}
          >
            <div
              class="usage-fill"
              style={{ width: `${Math.min(100, Math.max(u.used > 0 ? 1 : 0, u.ratio * 100))}%` }}
            />
          </div>
          <span class="usage-label">
            {formatCount(u.used)} / {formatSize(u.size, u.sizeLog2)} · {formatPercent(u.ratio)}
          </span>
        </div>
      </td>
      <td class="col-optional">
        {node.networkId ? (
          <a href={networkHref(node.networkId, 'routes')}>{node.networkId}</a>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td class="row-actions">
        <button
          type="button"
          class="button small"
          onClick={props.addChild}
          aria-label={`Add a subnet under ${node.prefix}`}
        >
          Add child
        </button>
        <ConfirmButton
          label="Remove"
          small
          ariaLabel={`Remove ${node.prefix}`}
          disabled={busy}
          question={
            children > 0 ? (
              <label>
                {plural(children, 'subnet')} below:{' '}
                <select value={mode} onChange={(e) => setMode(e.currentTarget.value as typeof mode)}>
                  <option value="promote">keep them (move up)</option>
                  <option value="delete">remove them too</option>
                </select>
              </label>
            ) : (
              `Remove ${node.prefix}?`
            )
          }
          onConfirm={remove}
        />
      </td>
    </tr>
  );
}

function AddSubnet(props: { parentHint: string; onAdded: () => void }) {
  const { api } = useApp();
  const [prefix, setPrefix] = useState('');
  const [name, setName] = useState('');
  const [run, busy] = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, string> = { prefix: prefix.trim() };
    if (name.trim()) body.name = name.trim();
    const ok = await run(() => api.send('POST', '/api/v1/ipam/subnets', body), `${prefix.trim()} added`);
    if (ok !== undefined) {
      setPrefix('');
      setName('');
      props.onAdded();
    }
  };
  return (
    <form class="card form-grid" onSubmit={submit} aria-labelledby="add-subnet-title">
      <h2 id="add-subnet-title">Add a subnet</h2>
      <div class="field">
        <label for="subnet-prefix">Prefix</label>
        <input
          id="subnet-prefix"
          required
          placeholder={props.parentHint ? `inside ${props.parentHint}` : '10.0.0.0/8'}
          aria-describedby="subnet-prefix-help"
          value={prefix}
          onInput={(e) => setPrefix(e.currentTarget.value)}
        />
        <span id="subnet-prefix-help" class="help">
          {props.parentHint
            ? `It will nest under ${props.parentHint} (or a smaller subnet inside it).`
            : 'IPv4 or IPv6 CIDR.'}
        </span>
      </div>
      <div class="field">
        <label for="subnet-name">Name</label>
        <input
          id="subnet-name"
          value={name}
          placeholder="e.g. servers"
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </div>
      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>
          Add subnet
        </button>
      </div>
    </form>
  );
}
