// Starts a worker thread from a sibling module, whether the code runs from .ts sources (tsx) or from
// the compiled .js build. On Node 20 a worker does not inherit tsx's loader, not even with
// `--import tsx`, so from sources a tiny bootstrap registers tsx inside the worker first.
import { Worker } from 'node:worker_threads';

// Only dynamic import(), so the bootstrap runs the same as a script or as a module.
const TSX_BOOTSTRAP = `import('node:worker_threads').then(({ workerData }) =>
  import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.entry); }));`;

/** V8 flags a worker refuses in its execArgv (they are per process; the worker has them anyway). */
const PROCESS_WIDE_V8_FLAGS = /^--(trace-gc|max-semi-space-size|max-old-space-size|single-threaded-gc)(=|$)/;

/** The parent's flags minus --input-type, which a worker started from a file refuses, and V8's. */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--input-type') i++;
    else if (!arg.startsWith('--input-type=') && !PROCESS_WIDE_V8_FLAGS.test(arg)) out.push(arg);
  }
  return out;
}

/**
 * `callerUrl` is the caller's `import.meta.url`; `baseName` the worker module beside it, without
 * extension (e.g. `./identity-worker`). `workerData` reaches the worker unchanged.
 */
export function startModuleWorker(
  callerUrl: string,
  baseName: string,
  workerData: Record<string, unknown> = {},
): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const entry = new URL(`${baseName}${fromSource ? '.ts' : '.js'}`, callerUrl);
  const execArgv = workerExecArgv();
  if (!fromSource) return new Worker(entry, { execArgv, workerData });
  return new Worker(TSX_BOOTSTRAP, {
    eval: true,
    execArgv,
    workerData: { ...workerData, tsxApi: import.meta.resolve('tsx/esm/api'), entry: entry.href },
  });
}
