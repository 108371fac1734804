// Runs the store contract on the real PostgreSQL server, each test in a scratch schema, plus what is
// PostgreSQL's own: concurrent processes, the write lock, the change log and the listener.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleNetwork } from '../record-samples.ts';
import type { ForeignChanges } from '../store.ts';
import { runStoreContract } from '../store-contract.ts';
import { tablesOf } from '../kysely-store.ts';
import { PostgresChangeLog } from './postgres-change-log.ts';
import { openPostgresStore, type PostgresStore } from './postgres-store.ts';
import { dropSchema, scratchSchemaName, TEST_DATABASE_URL } from './postgres-test-database.ts';

function openIn(
  schema: string,
  instanceId?: string,
  onListenerState?: (state: 'lost' | 'listening') => void,
): Promise<PostgresStore> {
  return openPostgresStore({ connectionString: TEST_DATABASE_URL, schema, instanceId, onListenerState });
}

runStoreContract('postgres', async () => {
  const schema = scratchSchemaName();
  let current: PostgresStore = await openIn(schema);
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await openIn(schema);
      return current;
    },
    cleanup: async () => {
      await current.close();
      await dropSchema(schema);
    },
  };
});

/** Collects what a store's handler is told, and waits for it. */
function recorder(store: PostgresStore) {
  const seen: ForeignChanges[] = [];
  const waiters: Array<() => void> = [];
  store.onForeignChanges((changes) => {
    seen.push(changes);
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    seen,
    payloads: () => seen.flatMap((c) => c.payloads),
    async waitFor(predicate: () => boolean, ms = 3000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!predicate()) {
        const left = deadline - Date.now();
        assert.ok(left > 0, `timed out; seen ${JSON.stringify(seen)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 50));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

async function withTwo(
  fn: (a: PostgresStore, b: PostgresStore, listenerStatesOfB: string[]) => Promise<void>,
): Promise<void> {
  const schema = scratchSchemaName();
  const states: string[] = [];
  // Both open a fresh schema at once: the migrations must apply once, not race.
  const [a, b] = await Promise.all([
    openIn(schema, 'instance-a'),
    openIn(schema, 'instance-b', (state) => states.push(state)),
  ]);
  try {
    await fn(a, b, states);
  } finally {
    await a.close();
    await b.close();
    await dropSchema(schema);
  }
}

const NWID = '8056c2e21c000001';

describe('PostgreSQL: several processes on one database', () => {
  it('two stores starting at once on a fresh schema both migrate and work', async () => {
    await withTwo(async (a, b) => {
      await a.transaction((tx) => tx.putNetwork(sampleNetwork(NWID)));
      assert.deepEqual(await b.listNetworkIds(), [NWID]);
    });
  });

  it('announcements reach the other process by NOTIFY, in commit order, never the writer itself', async () => {
    await withTwo(async (a, b) => {
      const toA = recorder(a);
      const toB = recorder(b);
      for (const n of [1, 2, 3]) await a.transaction((tx) => tx.announce(`a${n}`));
      await b.transaction((tx) => tx.announce('b1'));
      await toB.waitFor(() => toB.payloads().length === 3);
      await toA.waitFor(() => toA.payloads().length === 1);
      assert.deepEqual(toB.payloads(), ['a1', 'a2', 'a3']);
      assert.deepEqual(toA.payloads(), ['b1']);
      assert.ok(toB.seen.every((c) => c.complete));
    });
  });

  it('a rolled-back write announces nothing; a failed call inside a batch announces nothing of its own', async () => {
    await withTwo(async (a, b) => {
      const toB = recorder(b);
      await assert.rejects(
        a.transaction(async (tx) => {
          await tx.announce('undone');
          throw new Error('undo');
        }),
      );
      // Several calls in one batch: the failing one's announcement goes with its savepoint.
      await Promise.all([
        a.transaction((tx) => tx.announce('kept-1')),
        a
          .transaction(async (tx) => {
            await tx.announce('undone-2');
            throw new Error('undo');
          })
          .catch(() => undefined),
        a.transaction((tx) => tx.announce('kept-3')),
      ]);
      await toB.waitFor(() => toB.payloads().length >= 2);
      await b.transaction(async () => undefined); // a catch-up under the write lock
      assert.deepEqual(toB.payloads(), ['kept-1', 'kept-3']);
      assert.ok(toB.seen.every((c) => c.complete));
    });
  });

  it('a transaction starting after a foreign commit is told of it before its function runs', async () => {
    await withTwo(async (a, b) => {
      const toB = recorder(b);
      await a.transaction((tx) => tx.announce('before'));
      // No waiting for the NOTIFY: the catch-up at BEGIN must already have delivered it.
      const seenInside = await b.transaction(async () => toB.payloads().slice());
      assert.deepEqual(seenInside, ['before']);
    });
  });

  it('read-modify-write transactions of two processes never interleave (no lost update)', async () => {
    await withTwo(async (a, b) => {
      await a.transaction((tx) => tx.putNetwork(sampleNetwork(NWID, { revision: 0 })));
      const bump = (store: PostgresStore) =>
        store.transaction(async (tx) => {
          const network = (await tx.getNetwork(NWID))!;
          await new Promise((resolve) => setTimeout(resolve, 1));
          await tx.putNetwork({ ...network, revision: network.revision + 1 });
        });
      await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 === 0 ? a : b)));
      assert.equal((await a.getNetwork(NWID))!.revision, 40);
    });
  });

  it('after its listener connection breaks, a process reconnects and still gets what it missed', async () => {
    await withTwo(async (a, b, states) => {
      const toB = recorder(b);
      b.breakListener();
      await a.transaction((tx) => tx.announce('while-away-1'));
      await a.transaction((tx) => tx.announce('while-away-2'));
      await toB.waitFor(() => toB.payloads().length === 2, 5000);
      assert.deepEqual(toB.payloads(), ['while-away-1', 'while-away-2']);
      // And it keeps listening afterwards.
      await a.transaction((tx) => tx.announce('after'));
      await toB.waitFor(() => toB.payloads().length === 3, 5000);
      assert.deepEqual(states, ['listening', 'lost', 'listening']);
    });
  });
});

describe('PostgreSQL change log', () => {
  it('a process that fell behind a pruned log is told its news is incomplete (it then drops every cache)', async () => {
    const schema = scratchSchemaName();
    const writer = await openIn(schema, 'writer');
    const db = tablesOf(writer);
    try {
      const lagging = new PostgresChangeLog('lagging', 'unused_channel', Date.now, {
        entries: 2,
        ms: 0,
      });
      await lagging.start(db);
      const told: ForeignChanges[] = [];
      lagging.setHandler((changes) => void told.push(changes));
      for (let i = 1; i <= 6; i++) await writer.transaction((tx) => tx.announce(`n${i}`));
      assert.equal(await lagging.prune(db), 4);
      await lagging.catchUp(db);
      assert.deepEqual(told, [{ payloads: ['n5', 'n6'], complete: false }]);
      // Caught up again: later news is complete.
      await writer.transaction((tx) => tx.announce('n7'));
      await lagging.catchUp(db);
      assert.deepEqual(told.at(-1), { payloads: ['n7'], complete: true });
    } finally {
      await writer.close();
      await dropSchema(schema);
    }
  });
});

describe('PostgreSQL store specifics', () => {
  it('opens as kind postgres; close is idempotent', async () => {
    const schema = scratchSchemaName();
    try {
      const store = await openIn(schema);
      assert.equal(store.kind, 'postgres');
      await store.close();
      await store.close();
    } finally {
      await dropSchema(schema);
    }
  });
});
