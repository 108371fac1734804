// Runs `routeplane serve` as a separate process, exactly as users run it, and measures how long it
// takes from spawning to answering GET /controller with 200.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expectJson, httpRequest, type Endpoint, type HttpResult, type RequestSpec } from './http-request.ts';
import { elapsedMsSince } from './stats.ts';

const BIN = fileURLToPath(new URL('../../bin/routeplane.mjs', import.meta.url));
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
const PROBE_INTERVAL_MS = 2;
const STDERR_TAIL = 4096;

/** Children still running, so an interrupted benchmark can end them (and only them). */
const running = new Set<ChildProcess>();

export interface ProcessMemory {
  /** Resident set size now, bytes (VmRSS). */
  rss: number;
  /** Peak resident set size so far, bytes (VmHWM). */
  peakRss: number;
}

export interface ControllerProcess {
  readonly pid: number;
  readonly endpoint: Endpoint;
  readonly url: string;
  readonly token: string;
  /** Milliseconds from spawn() to the first 200 on GET /controller. */
  readonly startupMs: number;
  /** Headers every API call needs. */
  readonly authHeaders: Record<string, string>;
  /** One API call over a keep-alive connection. */
  request(spec: RequestSpec): Promise<HttpResult>;
  memory(): ProcessMemory;
  /** SIGTERM, then SIGKILL if it has not exited in time. */
  stop(): Promise<void>;
  /**
   * Rejects, naming the exit code and the end of stderr, if the process exits before stop() was
   * called: a measurement races it, so a controller that dies mid-run ends the benchmark with the
   * reason instead of leaving it waiting.
   */
  readonly diedUnexpectedly: Promise<never>;
}

export interface StartOptions {
  dataDir: string;
  token: string;
  /** Extra node options for the serve process, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeArgs?: readonly string[];
  /** Extra `serve` options, e.g. `--database postgres://… --database-schema …`. */
  serveArgs?: readonly string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startControllerProcess(options: StartOptions): Promise<ControllerProcess> {
  const endpoint: Endpoint = { host: HOST, port: await freePort() };
  const authHeaders = { 'x-zt1-auth': options.token };
  const args = [
    ...(options.nodeArgs ?? []),
    BIN,
    'serve',
    '--data-dir',
    options.dataDir,
    '--host',
    HOST,
    '--port',
    String(endpoint.port),
    // The UDP side is not measured; an ephemeral port keeps it clear of anything on 9993.
    '--udp-port',
    '0',
    ...(options.serveArgs ?? []),
  ];

  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ROUTEPLANE_LOG_LEVEL: 'warn', ROUTEPLANE_TOKEN: options.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  // ROUTEPLANE_BENCH_SERVE_STDOUT=FILE keeps what serve prints (e.g. with --trace-gc in the node options).
  const keepStdout = process.env.ROUTEPLANE_BENCH_SERVE_STDOUT;
  if (keepStdout) child.stdout?.pipe(createWriteStream(keepStdout, { flags: 'a' }));
  else child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(
    () => running.delete(child),
    () => undefined,
  );
  if (child.pid === undefined) throw new Error(`could not spawn ${process.execPath} ${BIN}`);
  const pid = child.pid;

  const startupMs = await waitUntilServing(endpoint, authHeaders, start, () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `routeplane serve exited (${child.exitCode ?? child.signalCode}) before serving:\n${stderr}`,
      );
    }
  });

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let stopping: Promise<void> | undefined;
  const diedUnexpectedly = exited.then(() => {
    if (stopping) return new Promise<never>(() => undefined);
    throw new Error(
      `routeplane serve (pid ${pid}) exited unexpectedly (${child.exitCode ?? child.signalCode}):\n${stderr}`,
    );
  });
  // A rejection nobody awaits must not crash the benchmark before it reports it.
  diedUnexpectedly.catch(() => undefined);
  return {
    diedUnexpectedly,
    pid,
    endpoint,
    url: `http://${HOST}:${endpoint.port}`,
    token: options.token,
    startupMs,
    authHeaders,
    request: (spec) =>
      httpRequest(endpoint, { ...spec, headers: { ...authHeaders, ...spec.headers } }, agent),
    memory: () => readMemory(pid),
    stop() {
      stopping ??= (async () => {
        agent.destroy();
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timedOut = await Promise.race([
            exited.then(() => false),
            sleep(STOP_TIMEOUT_MS).then(() => true),
          ]);
          if (timedOut) {
            child.kill('SIGKILL');
            await exited;
          }
        }
      })();
      return stopping;
    },
  };
}

/** Ends every controller this process started, at once (SIGINT, fatal error). */
export function killRunningControllers(): void {
  for (const child of running) child.kill('SIGKILL');
}

async function waitUntilServing(
  endpoint: Endpoint,
  headers: Record<string, string>,
  start: bigint,
  checkAlive: () => void,
): Promise<number> {
  for (;;) {
    checkAlive();
    try {
      const result = await httpRequest(endpoint, { path: '/controller', headers, timeoutMs: 2000 }, false);
      if (result.status === 200) return elapsedMsSince(start);
    } catch {
      // Not listening yet.
    }
    if (elapsedMsSince(start) > START_TIMEOUT_MS)
      throw new Error(`routeplane serve did not serve within ${START_TIMEOUT_MS} ms`);
    await sleep(PROBE_INTERVAL_MS);
  }
}

function readMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  };
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

export interface NodeStatus {
  publicIdentity: string;
  config: { settings: { primaryPort: number } };
}

/**
 * `/status` once the controller's ZeroTier side listens: it starts after the process took the
 * leader lock, a moment after the API serves, and reports UDP port 0 until then.
 */
export async function waitForUdp(controller: ControllerProcess, timeoutMs = 30_000): Promise<NodeStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = expectJson<NodeStatus>(await controller.request({ path: '/status' }), 'status');
    if (status.config.settings.primaryPort > 0) return status;
    if (Date.now() > deadline)
      throw new Error(`the controller's UDP side did not start within ${timeoutMs} ms`);
    await sleep(50);
  }
}
