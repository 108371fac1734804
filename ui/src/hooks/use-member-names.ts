// Names (and IPs) of a handful of members — the routers of a network — read one by one, so the
// routes and picture views can say "office-gw" instead of an address without loading every member.
import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../app-context.ts';
import type { MemberJson } from '../lib/api-types.ts';

export function useMembers(networkId: string, addresses: readonly string[]): ReadonlyMap<string, MemberJson> {
  const { api } = useApp();
  const [members, setMembers] = useState<ReadonlyMap<string, MemberJson>>(new Map());
  const key = [...new Set(addresses)].sort().join(',');
  useEffect(() => {
    if (key === '') return;
    const controller = new AbortController();
    Promise.all(
      key.split(',').map((address) =>
        api
          .get<MemberJson>(`/controller/network/${networkId}/member/${address}`, {
            signal: controller.signal,
          })
          .catch(() => undefined),
      ),
    ).then((list) => {
      if (controller.signal.aborted) return;
      setMembers(new Map(list.filter((m): m is MemberJson => m !== undefined).map((m) => [m.address, m])));
    });
    return () => controller.abort();
  }, [api, networkId, key]);
  return members;
}

export function namesOf(members: ReadonlyMap<string, MemberJson>): Map<string, string> {
  const names = new Map<string, string>();
  for (const [address, member] of members) if (member.name) names.set(address, member.name);
  return names;
}
