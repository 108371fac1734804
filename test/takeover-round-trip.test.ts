// export∘import on real files and a real SQLite store: generated controllers (every stock field, any
// values the API accepts) are written to a store, exported as a FileDB tree, read back and planned:
// the records that would be imported are exactly the ones exported.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { readFileDbTree } from '../src/cli/takeover/filedb-reader.ts';
import { writeFileDbTree } from '../src/cli/takeover/filedb-writer.ts';
import type { MemberRecord } from '../src/core/member/member-types.ts';
import type { NetworkRecord } from '../src/core/network/network-types.ts';
import { memberRecordArbitrary, networkRecordArbitrary } from '../src/core/takeover/filedb-arbitraries.ts';
import { planTakeover } from '../src/core/takeover/takeover-plan.ts';
import { ControllerService } from '../src/service/controller-service.ts';
import { writeTakeover } from '../src/service/takeover-import.ts';
import { openStore } from '../src/store/open-store.ts';

const CONTROLLER = 'f8ea0e7924';
const SECRET = `${CONTROLLER}:0:${'ab'.repeat(64)}:${'cd'.repeat(64)}`;

/** A network with members whose IPs are unique (the store allows one holder per IP). */
const networkWithMembers = (): fc.Arbitrary<{ network: NetworkRecord; members: MemberRecord[] }> =>
  networkRecordArbitrary(CONTROLLER).chain((network) =>
    fc
      .uniqueArray(memberRecordArbitrary(network.id), { maxLength: 6, selector: (m) => m.address })
      .map((members) => {
        const held = new Set<string>();
        for (const member of members) {
          member.ipAssignments = member.ipAssignments.filter((ip) => !held.has(ip));
          for (const ip of member.ipAssignments) held.add(ip);
        }
        return { network, members: members.sort((a, b) => (a.address < b.address ? -1 : 1)) };
      }),
  );

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'routeplane-round-trip-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

test('store → FileDB tree → import plan gives back every record unchanged', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(networkWithMembers(), { minLength: 1, maxLength: 3, selector: (n) => n.network.id }),
      async (networks) => {
        const dir = join(root, `run-${++run}`);
        const store = await openStore({ dataDir: join(dir, 'data') });
        const service = new ControllerService({ store, controllerAddress: CONTROLLER });
        try {
          const sorted = [...networks].sort((a, b) => (a.network.id < b.network.id ? -1 : 1));
          await writeTakeover(store, {
            networks: sorted.map((n) => n.network),
            members: new Map(sorted.map((n) => [n.network.id, n.members])),
            controllerAddress: CONTROLLER,
            settings: [['controller.identity', SECRET]],
            replaceNetworks: false,
            source: 'generated',
            now: 1,
          });
          const written = await writeFileDbTree(join(dir, 'controller.d'), store, service);
          assert.equal(written.networks, networks.length);
          const tree = await readFileDbTree(join(dir, 'controller.d'), { now: 0 });
          const plan = planTakeover({
            controllerAddress: CONTROLLER,
            networks: tree.networks,
            members: tree.members,
          });
          assert.deepEqual([...tree.problems, ...plan.problems], []);
          assert.deepEqual(tree.skipped, []);
          assert.deepEqual(plan.ignoredKeys, []);
          assert.deepEqual(
            plan.networks,
            sorted.map((n) => n.network),
          );
          for (const { network, members } of sorted) {
            assert.deepEqual(plan.members.get(network.id) ?? [], members);
          }
        } finally {
          await service.close();
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: 25 },
  );
});
