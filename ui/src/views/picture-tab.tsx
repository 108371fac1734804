// The picture: subnet routers → the prefixes they advertise → the members routed through each, in
// health colours, redrawn as live events arrive (a failover visibly moves the members). Small
// networks show their members one by one from the routes each is really sent; big ones show counts.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import { LoadState } from '../components/load-state.tsx';
import { namesOf, useMembers } from '../hooks/use-member-names.ts';
import type { Resource } from '../hooks/use-resource.ts';
import type { MemberJson, MemberRoutes, RoutesReport } from '../lib/api-types.ts';
import { cidrContains } from '../lib/cidr.ts';
import { networkHref } from '../lib/hash-route.ts';
import { memberCountsOf, type MemberGroup } from '../lib/member-groups.ts';
import { layoutPicture, type PictureNode } from '../lib/picture-layout.ts';

/** Up to this many authorised members, each is asked for its routes and drawn by name. */
const INDIVIDUAL_LIMIT = 24;
const WIDE = 720;

const LEGEND: Array<[string, string]> = [
  ['edge-primary', 'primary: carries the prefix'],
  ['edge-carrying', 'carries part of the members (spread)'],
  ['edge-backup', 'standby'],
  ['edge-pending', 'awaiting approval'],
  ['edge-down', 'down'],
];

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Which router each authorised member reaches each prefix through, from its own route list. */
function useMemberGroups(networkId: string, report: RoutesReport | undefined): MemberGroup[] | undefined {
  const { api } = useApp();
  const [groups, setGroups] = useState<MemberGroup[] | undefined>(undefined);
  const small = report !== undefined && report.authorizedMembers <= INDIVIDUAL_LIMIT;
  useEffect(() => {
    if (!report || !small || report.advertised.length === 0) {
      setGroups(undefined);
      return;
    }
    const controller = new AbortController();
    const { signal } = controller;
    (async () => {
      const list = await api.get<{ data: MemberJson[] }>(`/unstable/controller/network/${networkId}/member`, {
        signal,
      });
      const routerIps = new Map<string, string>();
      for (const member of list.data)
        for (const ip of member.ipAssignments) routerIps.set(ip, member.address);
      const members = list.data.filter((m) => m.authorized);
      const routes = await Promise.all(
        members.map((m) =>
          api
            .get<MemberRoutes>(`/api/v1/networks/${networkId}/members/${m.address}/routes`, { signal })
            .catch(() => undefined),
        ),
      );
      const byKey = new Map<string, MemberGroup>();
      members.forEach((member, i) => {
        for (const prefix of report.advertised) {
          // The deepest route inside the prefix carries the traffic (others are standby beneath it).
          const route = (routes[i]?.routes ?? [])
            .filter((r) => r.via !== null && cidrContains(prefix.prefix, r.target))
            .reduce<MemberRoutes['routes'][number] | undefined>(
              (best, r) =>
                best === undefined || Number(r.target.split('/')[1]) > Number(best.target.split('/')[1])
                  ? r
                  : best,
              undefined,
            );
          const router = route?.via ? routerIps.get(route.via) : undefined;
          if (!router) continue;
          const key = `${prefix.prefix} ${router}`;
          const group = byKey.get(key) ?? { prefix: prefix.prefix, router, members: [], count: 0 };
          group.members.push(member.address);
          group.count++;
          byKey.set(key, group);
        }
      });
      if (!signal.aborted) setGroups([...byKey.values()]);
    })().catch(() => {
      if (!signal.aborted) setGroups(undefined);
    });
    return () => controller.abort();
    // The report object changes on every reload; what matters is who routes where.
  }, [api, networkId, small, report && JSON.stringify([report.revision, report.advertised])]);
  if (!report) return undefined;
  return small && groups ? groups : memberCountsOf(report.advertised, report.routes);
}

export function PictureTab(props: { networkId: string; report: Resource<RoutesReport> }) {
  const { networkId } = props;
  const data = props.report.data;
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1200);
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    setWidth(element.clientWidth);
    return () => observer.disconnect();
  }, []);
  const groups = useMemberGroups(networkId, data);
  const addresses = useMemo(
    () => [
      ...(data?.advertised ?? []).flatMap((p) => p.routers.map((r) => r.member)),
      ...(groups ?? []).flatMap((g) => g.members),
    ],
    [data, groups],
  );
  const members = useMembers(networkId, addresses);
  const names = useMemo(() => namesOf(members), [members]);
  const picture = useMemo(
    () =>
      data &&
      layoutPicture({
        advertised: data.advertised,
        groups: groups ?? [],
        names,
        layout: width >= WIDE ? 'columns' : 'stacked',
      }),
    [data, groups, names, width],
  );

  return (
    <div ref={box} class="picture">
      {!data && <LoadState resource={props.report} what="the routes" />}
      {picture && picture.nodes.length === 0 && (
        <p class="empty">
          Nothing to draw yet: no subnet router advertises a prefix in this network. See the{' '}
          <a href={networkHref(networkId, 'routes')}>Routes</a> section.
        </p>
      )}
      {picture && picture.nodes.length > 0 && (
        <>
          <ul class="legend" aria-label="Legend">
            {LEGEND.map(([tone, text]) => (
              <li key={tone}>
                <svg width="28" height="10" aria-hidden="true">
                  <line x1="0" y1="5" x2="28" y2="5" class={`edge ${tone}`} />
                </svg>
                {text}
              </li>
            ))}
            <li>
              <span class="swatch tone-healthy" aria-hidden="true" /> healthy
            </li>
            <li>
              <span class="swatch tone-suspect" aria-hidden="true" /> suspect
            </li>
            <li>
              <span class="swatch tone-down" aria-hidden="true" /> down
            </li>
            <li>
              <span class="swatch tone-draining" aria-hidden="true" /> draining
            </li>
          </ul>
          <div class="picture-scroll">
            <svg
              class="picture-svg"
              viewBox={`0 0 ${picture.width} ${picture.height}`}
              width={picture.width}
              height={picture.height}
              role="img"
              aria-labelledby="picture-title picture-desc"
              data-testid="picture"
            >
              <title id="picture-title">Routers, prefixes and members of this network</title>
              <desc id="picture-desc">{picture.summary.join(' ')}</desc>
              {picture.edges.map((edge) => (
                <path key={edge.id} d={edge.d} class={`edge edge-${edge.tone}`} />
              ))}
              {picture.nodes.map((node) => (
                <Node key={node.id} node={node} networkId={networkId} />
              ))}
            </svg>
          </div>
          <details class="picture-text">
            <summary>The picture in words</summary>
            <ul>
              {picture.summary.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </details>
        </>
      )}
    </div>
  );
}

function Node(props: { node: PictureNode; networkId: string }) {
  const { node } = props;
  const body = (
    <g class={`node node-${node.kind} tone-${node.tone}`} data-node={node.id}>
      <rect x={node.x} y={node.y} width={node.w} height={node.h} rx={8} />
      <text x={node.x + 12} y={node.y + 21} class="node-title">
        {clip(node.title, 24)}
      </text>
      <text x={node.x + 12} y={node.y + 39} class="node-subtitle">
        {clip(node.subtitle, 30)}
      </text>
    </g>
  );
  if (node.kind !== 'router') return body;
  // A router links to its details (the `@prefix` suffix of stacked layouts is not an address).
  const address = node.id.slice('router:'.length).split('@')[0]!;
  return (
    <a href={networkHref(props.networkId, 'members', address)} aria-label={`${node.title}: ${node.subtitle}`}>
      {body}
    </a>
  );
}
