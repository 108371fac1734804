// kill -9 at random moments must lose no acknowledged write and never corrupt the SQLite file.
// A child (fixtures/store-writer.ts) commits members one transaction each and prints each after its
// transaction resolved; we SIGKILL it mid-stream, reopen the file and look for every printed member.
// Rounds alternate between one writer and 16 concurrent writers, whose transactions the store batches
// into shared COMMITs (group commit): an acknowledgement must never come before its batch's COMMIT.
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

const ROUNDS = 6;
/** Writers per round: serial, then concurrent (group commit), alternating. */
const concurrencyOf = (round: number) => (round % 2 === 0 ? 1 : 16);

interface Round {
  acked: string[];
  signal: NodeJS.Signals | null;
}

/** Runs the writer until it has acknowledged `ackTarget` members, waits `extraMs`, then SIGKILLs it. */
function runWriterAndKill(
  file: string,
  concurrency: number,
  ackTarget: number,
  extraMs: number,
): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, file, String(concurrency)], {
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
        const concurrency = concurrencyOf(round);
        const ackTarget = 150 + Math.floor(Math.random() * 300);
        const extraMs = Math.floor(Math.random() * 25);
        const { acked, signal } = await runWriterAndKill(file, concurrency, ackTarget, extraMs);
        assert.equal(signal, 'SIGKILL');
        assert.ok(acked.length >= ackTarget);
        // Each run continues after what the previous runs stored, acknowledged or not.
        const ackedIndexes = acked.map(
          (address) => Number.parseInt(address, 16) - Number.parseInt(writerMemberAddress(0), 16),
        );
        assert.equal(new Set(acked).size, acked.length, 'no member is acknowledged twice');
        for (const index of ackedIndexes)
          assert.ok(index >= storedBefore, `member ${index} was written by an earlier run`);
        if (concurrency === 1) {
          assert.deepEqual(
            acked,
            acked.map((_, k) => writerMemberAddress(storedBefore + k)),
          );
        }
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
          // Members are queued in index order and batches commit in order, so what is stored is exactly
          // 0..total-1; of this run's writes at most those in flight when the kill came (one per
          // writer) are stored without their acknowledgement.
          const total = stored.size;
          const expected = storedBefore + acked.length;
          assert.ok(
            total >= expected && total <= expected + concurrency,
            `round ${round} (${concurrency} writers): stored ${total}, expected ${expected}…${expected + concurrency}`,
          );
          for (let i = 0; i < total; i++)
            assert.ok(stored.has(writerMemberAddress(i)), `member ${i} missing`);
          storedBefore = total;
          const last = Math.max(...ackedIndexes);
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
