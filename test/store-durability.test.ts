// kill -9 at random moments must lose no acknowledged write and never corrupt the SQLite file.
// A child (fixtures/store-writer.ts) commits members one transaction at a time and prints each after
// its commit; we SIGKILL it mid-stream, reopen the file and look for every printed member.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { DURABILITY_NWID, writerMemberAddress, writerMemberIp } from './fixtures/store-writer.ts';

const repoRoot = new URL('..', import.meta.url).pathname;
const writerScript = new URL('./fixtures/store-writer.ts', import.meta.url).pathname;

const ROUNDS = 4;

interface Round {
  acked: string[];
  signal: NodeJS.Signals | null;
}

/** Runs the writer until it has acknowledged `ackTarget` members, waits `extraMs`, then SIGKILLs it. */
function runWriterAndKill(file: string, ackTarget: number, extraMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, file], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let stderr = '';
    let killScheduled = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    createInterface({ input: child.stdout }).on('line', (line) => {
      acked.push(line);
      if (!killScheduled && acked.length >= ackTarget) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    // 'close' waits for stdout to drain, so every ack the child managed to write is counted.
    child.on('close', (_code, signal) => {
      clearTimeout(watchdog);
      if (!killScheduled)
        reject(new Error(`writer ended before ${ackTarget} acks (${acked.length}): ${stderr}`));
      else resolve({ acked, signal });
    });
  });
}

describe('SQLite durability under SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'routeplane-durability-'));
  const file = join(dir, 'routeplane.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(
    `keeps every acknowledged member across ${ROUNDS} kills at random moments`,
    { timeout: 240_000 },
    async () => {
      const acknowledged: string[] = [];
      let storedBefore = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const ackTarget = 150 + Math.floor(Math.random() * 300);
        const extraMs = Math.floor(Math.random() * 25);
        const { acked, signal } = await runWriterAndKill(file, ackTarget, extraMs);
        assert.equal(signal, 'SIGKILL');
        assert.ok(acked.length >= ackTarget);
        // Each run continues after what the previous runs stored, acknowledged or not.
        assert.deepEqual(
          acked,
          acked.map((_, k) => writerMemberAddress(storedBefore + k)),
        );
        acknowledged.push(...acked);

        // The file as the crash left it (hot WAL included) must be consistent.
        const raw = new Database(file);
        try {
          assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
          assert.deepEqual(raw.pragma('foreign_key_check'), []);
        } finally {
          raw.close();
        }

        const store = await openSqliteStore({ file });
        try {
          const stored = new Set(
            (await store.listMemberRevisions(DURABILITY_NWID)).map(([address]) => address),
          );
          const missing = acknowledged.filter((address) => !stored.has(address));
          assert.deepEqual(missing, [], `round ${round}: acknowledged members lost`);
          // Members are written in order, so what is stored is exactly 0..total-1; of this run's writes
          // at most the one in flight when the kill came is stored without its acknowledgement.
          const total = stored.size;
          const expected = storedBefore + acked.length;
          assert.ok(
            total === expected || total === expected + 1,
            `round ${round}: stored ${total}, expected ${expected}`,
          );
          for (let i = 0; i < total; i++)
            assert.ok(stored.has(writerMemberAddress(i)), `member ${i} missing`);
          storedBefore = total;
          const last = expected - 1;
          const lastMember = await store.getMember(DURABILITY_NWID, writerMemberAddress(last));
          assert.deepEqual(lastMember?.ipAssignments, [writerMemberIp(last)]);
          assert.equal(
            await store.findIpOwner(DURABILITY_NWID, writerMemberIp(last)),
            writerMemberAddress(last),
          );
          // Every committed transaction wrote its event and its network revision, or nothing.
          assert.equal((await store.listEvents({ networkId: DURABILITY_NWID })).length, total);
          assert.equal((await store.getNetwork(DURABILITY_NWID))?.revision, total + 1);
        } finally {
          await store.close();
        }
      }
    },
  );
});
