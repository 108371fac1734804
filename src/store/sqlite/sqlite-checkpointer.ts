// WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the COMMIT
// that pushed the WAL past 1,000 pages: that commit copies ~4 MB into the database file and fsyncs
// it, and with better-sqlite3 it does so on the event loop (25–45 ms measured while 3,500 config
// requests a second were being answered: long enough to overflow the UDP receive buffer). Here a
// worker thread with its own connection runs PASSIVE checkpoints every `intervalMs`; those never
// block the writer, and the WAL is reused from its start once a checkpoint caught up. Under
// sustained writes it never quite catches up (measured: the WAL grew to 99 MB in 10 s of 6,900
// updates/s), so the serving connection still checkpoints on commit, but only past
// BACKSTOP_AUTOCHECKPOINT_PAGES, which the worker keeps it from reaching at ordinary write rates.
// Should the worker die, the connection gets SQLite's default back.
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** SQLite's default wal_autocheckpoint (pages), restored when the worker is gone. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** The serving connection's own checkpoint threshold while the worker runs (16 MB of WAL). */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 4000;

// A CommonJS script (eval workers are): it needs nothing of ours, so it runs the same from the
// sources (tsx) and from the build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs, fileMustExist: true });
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ kind: 'checkpoint', busy: result.busy, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ kind: 'error', message: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') return checkpoint();
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointResult {
  /** 1 when a lock kept the checkpoint from running at all (it is simply tried again). */
  busy: number;
  /** WAL frames at the time. */
  log: number;
  /** Frames copied into the database file. */
  checkpointed: number;
}

export interface CheckpointerOptions {
  /** The serving connection: it checkpoints on commit only past the backstop while the worker runs. */
  database: Database.Database;
  file: string;
  intervalMs?: number;
  busyTimeoutMs?: number;
  onCheckpoint?: (result: CheckpointResult) => void;
  onError?: (error: Error) => void;
}

export class SqliteCheckpointer {
  private readonly worker: Worker;
  private readonly database: Database.Database;
  private closing: Promise<void> | undefined;
  checkpoints = 0;

  constructor(options: CheckpointerOptions) {
    this.database = options.database;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver,
        file: options.file,
        intervalMs: options.intervalMs ?? 200,
        busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      },
    });
    this.worker.unref();
    this.database.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    this.worker.on('message', (message: { kind: string; message?: string } & CheckpointResult) => {
      if (message.kind === 'checkpoint') {
        this.checkpoints++;
        options.onCheckpoint?.(message);
      } else options.onError?.(new Error(`WAL checkpoint failed: ${message.message}`));
    });
    const fallBack = (error?: Error) => {
      if (this.closing !== undefined) return;
      if (this.database.open) this.database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      options.onError?.(
        error ?? new Error('the WAL checkpoint thread stopped; checkpoints run on commit again'),
      );
    };
    this.worker.on('error', fallBack);
    this.worker.on('exit', () => fallBack());
  }

  /** Asks for a checkpoint now (tests); the result arrives through onCheckpoint. */
  requestCheckpoint(): void {
    this.worker.postMessage('checkpoint');
  }

  /** Stops the thread; the serving connection checkpoints on commit again until it is closed. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.worker.ref(); // until it has gone: an unreferenced worker's exit may never be waited for
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('close');
    }).then(() => {
      if (this.database.open) this.database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    });
    return this.closing;
  }
}
