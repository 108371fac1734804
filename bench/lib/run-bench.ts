// The shared life cycle of a benchmark: a temp work dir, controllers killed and the dir removed on
// any exit (also Ctrl-C), and the rule that a missed target is a figure, not a failure: only a
// broken run exits non-zero.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { killRunningControllers } from './controller-process.ts';

export interface Bench {
  run(): Promise<void>;
  stop(): Promise<void>;
  /** Ctrl-C: removes what lives outside the work dir (a scratch database schema …), quickly. */
  interrupted?(): Promise<void>;
}

const INTERRUPT_CLEANUP_MS = 15_000;

export function runBench(name: string, create: (workDir: string) => Bench): void {
  const main = async () => {
    const workDir = mkdtempSync(join(os.tmpdir(), `routeplane-${name}-`));
    const cleanUp = () => rmSync(workDir, { recursive: true, force: true });
    const bench = create(workDir);
    process.once('SIGINT', () => {
      killRunningControllers();
      const extra = bench.interrupted?.().catch(() => undefined);
      const timeout = new Promise((resolve) => setTimeout(resolve, INTERRUPT_CLEANUP_MS).unref());
      void Promise.race([extra, timeout]).finally(() => {
        cleanUp();
        process.exit(130);
      });
    });
    try {
      await bench.run();
    } finally {
      await bench.stop().catch(() => killRunningControllers());
      cleanUp();
    }
  };
  main().catch((error: unknown) => {
    killRunningControllers();
    process.stderr.write(
      `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
