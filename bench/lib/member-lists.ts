// Times the two member lists a controller UI reads (the stock `{address: revision}` list and the full
// `/unstable` objects) against a running controller, checking that every member is listed each time.
import type { ControllerProcess } from './controller-process.ts';
import { expectJson } from './http-request.ts';

export interface MemberListTiming {
  kind: 'revisions' | 'objects';
  /** ms per run, in run order */
  times: number[];
  /** Bytes of the last response. */
  bytes: number;
}

export async function timeMemberLists(
  live: ControllerProcess,
  networkId: string,
  members: number,
  runs: number,
): Promise<MemberListTiming[]> {
  const lists = [
    {
      kind: 'revisions' as const,
      path: `/controller/network/${networkId}/member`,
      count: (body: unknown) => Object.keys(body as Record<string, number>).length,
    },
    {
      kind: 'objects' as const,
      path: `/unstable/controller/network/${networkId}/member`,
      count: (body: unknown) => (body as { data: unknown[] }).data.length,
    },
  ];
  const timings: MemberListTiming[] = [];
  for (const list of lists) {
    const timing: MemberListTiming = { kind: list.kind, times: [], bytes: 0 };
    for (let i = 0; i < runs; i++) {
      const result = await live.request({ path: list.path });
      const listed = list.count(expectJson<unknown>(result, list.path));
      if (listed !== members) throw new Error(`${list.path}: ${listed} members listed, expected ${members}`);
      timing.times.push(result.ms);
      timing.bytes = result.body.length;
    }
    timings.push(timing);
  }
  return timings;
}
