// Writes a checked takeover plan (src/core/takeover) into the store in ONE transaction: the
// settings that come with it (the controller identity), every network with its members, and events. Records
// keep the revisions, times and identity pins the old controller gave them, so clients see the same
// configuration and nobody has to re-join. Any failure — including the caller's own last step
// (`beforeCommit`, where the CLI writes the identity files) — leaves the store as it was.

import { ErrorCodes, RpError } from '../core/errors.ts';
import type { MemberRecord } from '../core/member/member-types.ts';
import type { NetworkRecord } from '../core/network/network-types.ts';
import type { Store } from '../store/store.ts';
import { announcementOf } from './change-announcements.ts';

export const IMPORT_ACTOR = 'import';

export interface TakeoverWrite {
  /** Sorted by id. */
  networks: readonly NetworkRecord[];
  members: ReadonlyMap<string, readonly MemberRecord[]>;
  /** The imported controller's address, for the events. */
  controllerAddress: string;
  /** Settings written in the same transaction (key, value): the controller identity. */
  settings: ReadonlyArray<readonly [string, string]>;
  /** Replace networks the store already holds with an imported ID; otherwise they are a conflict. */
  replaceNetworks: boolean;
  /** Where the data came from, for the events (e.g. the zerotier-one home). */
  source: string;
  now: number;
  /** Called as members are written (every 1,000 and at the end), with the running count. */
  onMembersWritten?(count: number): void;
  /** The last step inside the transaction: a throw rolls back everything written before. */
  beforeCommit?(): Promise<void>;
}

export interface TakeoverWriteResult {
  /** Networks that existed and were replaced. */
  replacedNetworks: string[];
  members: number;
}

const PROGRESS_STEP = 1000;

export async function writeTakeover(store: Store, input: TakeoverWrite): Promise<TakeoverWriteResult> {
  return store.transaction(async (tx) => {
    // Checked again here, not only by the caller: another process may have written since.
    const replacedNetworks: string[] = [];
    for (const network of input.networks) {
      if (!(await tx.getNetwork(network.id))) continue;
      if (!input.replaceNetworks) {
        throw new RpError(ErrorCodes.CONFLICT, `network ${network.id} already exists in the store`);
      }
      replacedNetworks.push(network.id);
      // Its members, routes and advertisements go too: the files describe the whole network.
      await tx.deleteNetwork(network.id);
    }
    for (const [key, value] of input.settings) await tx.setSetting(key, value);

    let written = 0;
    for (const network of input.networks) {
      await tx.putNetwork(network);
      const members = input.members.get(network.id) ?? [];
      for (const member of members) {
        await tx.putMember(member);
        if (++written % PROGRESS_STEP === 0) input.onMembersWritten?.(written);
      }
      await tx.appendEvent({
        time: input.now,
        networkId: network.id,
        memberAddress: null,
        type: 'network.imported',
        actor: IMPORT_ACTOR,
        reason: `imported from ${input.source}`,
        data: {
          revision: network.revision,
          members: members.length,
          authorized: members.filter((member) => member.authorized).length,
          replaced: replacedNetworks.includes(network.id),
        },
      });
    }
    input.onMembersWritten?.(written);
    await tx.appendEvent({
      time: input.now,
      networkId: null,
      memberAddress: null,
      type: 'controller.imported',
      actor: IMPORT_ACTOR,
      reason: `controller taken over from ${input.source}`,
      data: {
        controller: input.controllerAddress,
        networks: input.networks.length,
        members: written,
        replacedNetworks,
      },
    });
    // Controller processes running on a shared database reload what changed and push new configs.
    const announcement = announcementOf(
      input.networks.map((network) => ({
        kind: 'network-changed' as const,
        networkId: network.id,
        revision: network.revision,
      })),
      undefined,
      { planners: input.networks.map((network) => network.id), routers: replacedNetworks },
    );
    if (announcement) await tx.announce(JSON.stringify(announcement));
    await input.beforeCommit?.();
    return { replacedNetworks, members: written };
  });
}
