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
}

export function runBench(name: string, create: (workDir: string) => Bench): void {
  const main = async () => {
    const workDir = mkdtempSync(join(os.tmpdir(), `routeplane-${name}-`));
    const cleanUp = () => rmSync(workDir, { recursive: true, force: true });
    process.once('SIGINT', () => {
      killRunningControllers();
      cleanUp();
      process.exit(130);
    });
    const bench = create(workDir);
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
