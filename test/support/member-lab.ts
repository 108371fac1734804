// A network on a test controller with TypeScript members already in it: created through the stock
// API with one managed route, each member authorized with its address, joined, and holding its first
// config. The setup the subnet-router tests share.
import assert from 'node:assert/strict';
import type { Identity } from '../../src/protocol/identity.ts';
import type { TestController } from '../helpers/controller-fixture.ts';
import { controllerRoot } from './recorded-identities.ts';
import { TsMember, type TsMemberOptions } from './ts-member.ts';

export interface LabNode {
  member: TsMember;
  address: string;
  ip: string;
}

export interface LabOptions {
  name: string;
  /** The network's one managed route (on-link), holding every member's address. */
  route: string;
  identities: readonly Identity[];
  /** The address of the i-th member. */
  ipOf: (index: number) => string;
  /** What every member is created with besides its identity and the controller as root. */
  member?: Omit<TsMemberOptions, 'identity' | 'roots'>;
}

export async function networkWithMembers(
  zt: TestController,
  options: LabOptions,
): Promise<{ nwid: string; nodes: LabNode[] }> {
  const created = await zt.request('POST', `/controller/network/${zt.controller.identity.address}______`, {
    name: options.name,
    routes: [{ target: options.route, via: null }],
  });
  assert.equal(created.status, 200, created.text);
  const nwid = (created.body as { id: string }).id;
  const nodes: LabNode[] = [];
  for (const [i, identity] of options.identities.entries()) {
    const ip = options.ipOf(i);
    const res = await zt.request('POST', `/controller/network/${nwid}/member/${identity.address}`, {
      authorized: true,
      ipAssignments: [ip],
    });
    assert.equal(res.status, 200, res.text);
    const member = await TsMember.create({
      ...options.member,
      identity,
      roots: [controllerRoot(zt.controller)],
    });
    member.join(nwid);
    nodes.push({ member, address: identity.address, ip });
  }
  for (const n of nodes) await n.member.waitForConfig(nwid, 0, 10_000);
  return { nwid, nodes };
}
