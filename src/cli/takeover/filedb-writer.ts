// Writes the store's networks and members as a zerotier-one FileDB tree (`network/<nwid>.json`,
// `network/<nwid>/member/<addr>.json`) in the stock field shapes and compact JSON, so a zerotier-one
// 1.14 controller (or `routeplane import`) loads it. Members are read page by page: memory stays
// flat at any size.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  MEMBERS_DIR,
  NETWORKS_DIR,
  memberFileName,
  networkFileName,
} from '../../core/takeover/filedb-layout.ts';
import { memberToFileJson } from '../../core/takeover/filedb-member.ts';
import { networkToFileJson } from '../../core/takeover/filedb-network.ts';
import type { ControllerService } from '../../service/controller-service.ts';
import type { StoreReader } from '../../store/store.ts';
import { forEachLimited } from './for-each-limited.ts';

const PAGE_SIZE = 1000;
/** Files written at once. */
const WRITE_CONCURRENCY = 32;

export interface WriteTreeOptions {
  /** The running count of member files written. */
  onMembersWritten?(count: number): void;
}

export interface WrittenTree {
  networks: number;
  members: number;
}

/**
 * Fills `controllerDir` (new and empty) with every network of the store. `routes` in a network file
 * are the routes members get (manual, IPAM and advertised, as the API shows them), so a stock
 * controller reading the file sends members what Routeplane sent them.
 */
export async function writeFileDbTree(
  controllerDir: string,
  store: StoreReader,
  service: ControllerService,
  options: WriteTreeOptions = {},
): Promise<WrittenTree> {
  const networksDir = join(controllerDir, NETWORKS_DIR);
  // zerotier-one keeps controller.d private (0700); the files inherit that protection.
  await mkdir(networksDir, { recursive: true, mode: 0o700 });
  let members = 0;
  const networks = await store.listNetworks();
  for (const network of networks) {
    const json = networkToFileJson(network, await service.effectiveRoutes(network));
    await writeFile(join(networksDir, networkFileName(network.id)), JSON.stringify(json), { mode: 0o644 });
    const membersDir = join(networksDir, network.id, MEMBERS_DIR);
    await mkdir(membersDir, { recursive: true, mode: 0o700 });
    let after: string | undefined;
    for (;;) {
      const page = await store.listMembersPage(network.id, after, PAGE_SIZE);
      await forEachLimited(page, WRITE_CONCURRENCY, (member) =>
        writeFile(
          join(membersDir, memberFileName(member.address)),
          JSON.stringify(memberToFileJson(member)),
          {
            mode: 0o644,
          },
        ),
      );
      members += page.length;
      options.onMembersWritten?.(members);
      if (page.length < PAGE_SIZE) break;
      after = page[page.length - 1]!.address;
    }
  }
  return { networks: networks.length, members };
}
