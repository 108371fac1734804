// The full member list (`GET /unstable/controller/network/<nwid>/member`) written as it is read: one
// page of members at a time becomes one chunk of JSON, so listing 100,000 members needs the memory of
// one page, not of the whole list. The bytes are those of
// JSON.stringify({ data: [...members], meta: { authorizedCount, totalCount } }): `data` comes first in
// that object anyway, so the counts made while streaming can follow it.
import { Readable } from 'node:stream';
import { memberJsonText, type MemberIpamFields } from '../../core/member/member-json.ts';
import type { MemberRecord } from '../../core/member/member-types.ts';
import type { NetworkRecord } from '../../core/network/network-types.ts';

export async function* memberListChunks(
  pages: AsyncIterable<readonly MemberRecord[]>,
  network: NetworkRecord,
  now: number,
  ipamOf?: (member: MemberRecord) => MemberIpamFields,
): AsyncGenerator<string, void, undefined> {
  let total = 0;
  let authorized = 0;
  let head = '{"data":[';
  for await (const page of pages) {
    // One flat string per page (join), which becomes the page's bytes without flattening a rope.
    const texts: string[] = [];
    for (const member of page) {
      if (member.authorized) authorized++;
      texts.push(memberJsonText(member, network, now, ipamOf?.(member)));
    }
    if (texts.length === 0) continue;
    yield `${head}${total > 0 ? ',' : ''}${texts.join(',')}`;
    total += texts.length;
    head = '';
  }
  yield `${head}],"meta":${JSON.stringify({ authorizedCount: authorized, totalCount: total })}}`;
}

/** A byte stream of the list for `reply.send`; it pulls the next page only when the socket drained. */
export function memberListStream(
  pages: AsyncIterable<readonly MemberRecord[]>,
  network: NetworkRecord,
  now: number,
  ipamOf?: (member: MemberRecord) => MemberIpamFields,
): Readable {
  return Readable.from(memberListChunks(pages, network, now, ipamOf), { objectMode: false });
}
