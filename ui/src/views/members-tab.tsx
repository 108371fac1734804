// Members of a network: who is authorised, their addresses, online state, client version and IPAM
// child subnet; authorise and deauthorise in one click; search and filters that stay instant with
// 10,000 members (one list request, prepared rows, only visible rows rendered). A member's details
// open beside the list.
import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { OnlineDot } from '../components/health-badge.tsx';
import { VirtualTable } from '../components/virtual-table.tsx';
import { useAction } from '../hooks/use-action.ts';
import { useLiveEvents } from '../hooks/use-live.ts';
import { useNow } from '../hooks/use-now.ts';
import type { Resource } from '../hooks/use-resource.ts';
import type { MemberJson, RoutesReport } from '../lib/api-types.ts';
import { formatAgo, formatCount } from '../lib/format.ts';
import { networkHref } from '../lib/hash-route.ts';
import {
  STATUS_LABELS,
  filterRows,
  sortRows,
  toRow,
  totalsOf,
  type MemberRow,
  type MemberSort,
  type MemberStatus,
} from '../lib/member-rows.ts';
import { MemberPanel } from './member-panel.tsx';

/** Rows are one line on wide screens; on a phone two (fewer columns, the rest under the name). */
const ROW_HEIGHT = 44;
const PHONE_ROW_HEIGHT = 64;
const PHONE = '(max-width: 700px)';
const COLUMNS = 7;
/** More members changed at once than this: the whole list is read again. */
const BULK_CHANGE = 50;
/** Small lists are re-read now and then for online state; big ones on demand (they are megabytes). */
const AUTO_REFRESH_BELOW = 2000;

type SortState = { by: MemberSort; descending: boolean };

export function MembersTab(props: { networkId: string; member?: string; report: Resource<RoutesReport> }) {
  const { api } = useApp();
  const { networkId } = props;
  const [rows, setRows] = useState<MemberRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadedAt, setLoadedAt] = useState(0);
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<MemberStatus>('all');
  const [sort, setSort] = useState<SortState>({ by: 'address', descending: false });
  const search = useRef<HTMLInputElement>(null);
  const now = useNow();
  const phone = usePhone();

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        performance.mark('members:fetch');
        const list = await api.get<{ data: MemberJson[] }>(
          `/unstable/controller/network/${networkId}/member`,
          {
            signal,
          },
        );
        if (signal?.aborted) return;
        const prepared = list.data.map(toRow);
        performance.mark('members:data');
        setRows(prepared);
        setError(null);
        setLoadedAt(Date.now());
      } catch (err) {
        if (!signal?.aborted) setError(err instanceof Error ? err.message : String(err));
      }
    },
    [api, networkId],
  );

  useEffect(() => {
    setRows(null);
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  // One member changed: read just that member, never the whole list again.
  useLiveEvents(
    (e) => e.networkId === networkId && e.memberAddress !== null && e.type.startsWith('member.'),
    (events) => {
      const addresses = new Set(events.map((e) => e.memberAddress!));
      // A bulk change (an import, a script): one list read beats hundreds of member reads.
      if (addresses.size > BULK_CHANGE) return void load();
      for (const address of addresses) {
        api
          .get<MemberJson>(`/controller/network/${networkId}/member/${address}`)
          .then((member) => upsert(toRow(member)))
          .catch(() => setRows((list) => list && list.filter((r) => r.address !== address)));
      }
    },
  );
  useEffect(() => {
    if (!rows || rows.length >= AUTO_REFRESH_BELOW) return;
    const timer = setInterval(() => document.visibilityState === 'visible' && void load(), 15_000);
    return () => clearInterval(timer);
  }, [rows && rows.length < AUTO_REFRESH_BELOW, load]);

  const upsert = (row: MemberRow) =>
    setRows((list) => {
      if (!list) return list;
      const index = list.findIndex((r) => r.address === row.address);
      if (index === -1) return [...list, row];
      const next = [...list];
      next[index] = row;
      return next;
    });

  const sorted = useMemo(() => (rows ? sortRows(rows, sort.by, sort.descending) : []), [rows, sort]);
  const shown = useMemo(() => filterRows(sorted, query, status), [sorted, query, status]);
  const totals = useMemo(() => totalsOf(rows ?? []), [rows]);

  useEffect(() => {
    if (rows) performance.mark('members:rendered');
  }, [rows]);

  // "/" jumps to the search box, as on many list pages.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== '/' || target?.closest('input, textarea, select')) return;
      event.preventDefault();
      search.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const sortHeader = (by: MemberSort, label: string, className?: string) => {
    const active = sort.by === by;
    return (
      <th
        scope="col"
        class={className}
        aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}
      >
        <button
          type="button"
          class="sort-button"
          onClick={() => setSort({ by, descending: active ? !sort.descending : false })}
        >
          {label}
          <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
        </button>
      </th>
    );
  };

  const routers = useMemo(
    () => new Set((props.report.data?.advertised ?? []).flatMap((p) => p.routers.map((r) => r.member))),
    [props.report.data],
  );

  return (
    <div class={props.member ? 'with-panel' : undefined}>
      {props.member && (
        <MemberPanel
          key={props.member}
          networkId={networkId}
          address={props.member}
          report={props.report}
          onChanged={(member) => upsert(toRow(member))}
          onDeleted={(address) => setRows((list) => list && list.filter((r) => r.address !== address))}
        />
      )}
      <div class="members">
        <div class="toolbar" role="search">
          <div class="field grow">
            <label for="member-search">Search members</label>
            <input
              id="member-search"
              ref={search}
              type="search"
              placeholder="Address, name, IP, subnet, version…"
              aria-describedby="member-count"
              value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="member-status">Show</label>
            <select
              id="member-status"
              value={status}
              onChange={(e) => setStatus(e.currentTarget.value as MemberStatus)}
            >
              {(Object.keys(STATUS_LABELS) as MemberStatus[]).map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <button type="button" class="button" onClick={() => void load()}>
            Refresh
          </button>
        </div>
        {error && (
          <div class="error-box" role="alert">
            Could not load the members: {error}{' '}
            <button type="button" class="button" onClick={() => void load()}>
              Try again
            </button>
          </div>
        )}
        {!rows && !error && <p class="muted">Loading members…</p>}
        {rows && (
          <>
            <p id="member-count" class="muted" aria-live="polite" data-testid="member-count">
              {shown.length === rows.length
                ? `${formatCount(rows.length)} members`
                : `${formatCount(shown.length)} of ${formatCount(rows.length)} members`}{' '}
              · {formatCount(totals.authorized)} authorised · {formatCount(totals.online)} online
              {totals.waiting > 0 && <> · {formatCount(totals.waiting)} waiting</>}
              {loadedAt > 0 && <span class="col-optional"> · read {formatAgo(loadedAt, now)}</span>}
            </p>
            {rows.length === 0 ? (
              <p class="empty">
                No member has asked to join yet. On a device: <code>zerotier-cli join {networkId}</code>
              </p>
            ) : (
              <VirtualTable
                count={shown.length}
                columns={COLUMNS}
                rowHeight={phone ? PHONE_ROW_HEIGHT : ROW_HEIGHT}
                caption="Members of this network"
                label="Members"
                resetKey={`${query}|${status}|${sort.by}|${sort.descending}`}
                head={
                  <tr aria-rowindex={1}>
                    {sortHeader('name', 'Member')}
                    <th scope="col">Access</th>
                    {sortHeader('lastSeen', 'Last seen', 'wide-only')}
                    {sortHeader('ip', 'IP addresses', 'wide-only')}
                    <th scope="col" class="col-optional">
                      Child subnet
                    </th>
                    <th scope="col" class="col-optional">
                      Version
                    </th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                }
                renderRow={(index, ariaRowIndex) => (
                  <MemberRowView
                    key={shown[index]!.address}
                    row={shown[index]!}
                    ariaRowIndex={ariaRowIndex}
                    networkId={networkId}
                    now={now}
                    router={routers.has(shown[index]!.address)}
                    selected={shown[index]!.address === props.member}
                    onChanged={(member) => upsert(toRow(member))}
                  />
                )}
              />
            )}
          </>
        )}
      </div>
    </div>
  );
}

function MemberRowView(props: {
  row: MemberRow;
  ariaRowIndex: number;
  networkId: string;
  now: number;
  router: boolean;
  selected: boolean;
  onChanged: (member: MemberJson) => void;
}): JSX.Element {
  const { row } = props;
  const { api } = useApp();
  const [run, busy] = useAction();
  const label = row.name || row.address;
  const seen = (
    <>
      <OnlineDot online={row.online} />
      {row.online ? 'online' : formatAgo(row.lastSeen, props.now)}
    </>
  );
  const toggle = async () => {
    const member = await run(
      () =>
        api.send<MemberJson>('POST', `/controller/network/${props.networkId}/member/${row.address}`, {
          authorized: !row.authorized,
        }),
      `${label} ${row.authorized ? 'deauthorised' : 'authorised'}`,
    );
    if (member) props.onChanged(member);
  };
  return (
    <tr
      aria-rowindex={props.ariaRowIndex}
      class={props.selected ? 'selected' : undefined}
      data-address={row.address}
    >
      <td class="member-cell">
        <a
          href={networkHref(props.networkId, 'members', row.address)}
          aria-current={props.selected ? 'true' : undefined}
        >
          {row.name ? (
            <>
              <span class="member-name">{row.name}</span> <code class="muted">{row.address}</code>
            </>
          ) : (
            <code>{row.address}</code>
          )}
        </a>
        {props.router && <span class="badge source-advertised">router</span>}
        <span class="phone-only muted ips-line">{row.ips.join(', ') || 'no address'}</span>
      </td>
      <td>
        {row.authorized ? (
          <span class="badge ok">authorised</span>
        ) : (
          <span class="badge waiting">waiting</span>
        )}
        <span class="phone-only">{seen}</span>
      </td>
      <td class="wide-only">{seen}</td>
      <td class="ips wide-only">
        {row.ips.length > 0 ? row.ips.join(', ') : <span class="muted">none</span>}
      </td>
      <td class="col-optional">
        {row.childSubnet ? <code>{row.childSubnet}</code> : <span class="muted">—</span>}
      </td>
      <td class="col-optional">{row.version}</td>
      <td class="row-actions">
        <button
          type="button"
          class={row.authorized ? 'button small' : 'button small primary'}
          disabled={busy}
          aria-label={`${row.authorized ? 'Deauthorise' : 'Authorise'} ${label}`}
          onClick={toggle}
        >
          {row.authorized ? 'Deauthorise' : 'Authorise'}
        </button>
      </td>
    </tr>
  );
}

/** Whether the screen is phone-sized (the table then shows two-line rows). */
function usePhone(): boolean {
  const [phone, setPhone] = useState(() => window.matchMedia(PHONE).matches);
  useEffect(() => {
    const query = window.matchMedia(PHONE);
    const onChange = () => setPhone(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return phone;
}
