// Keep-alive load from wrk (Debian's `wrk`, a C load generator) when it is installed: unlike the
// in-process generators it takes almost no CPU from the controller on a small machine, so its
// latencies are the controller's own. Requests cycle through a fixed list of paths (a Lua script
// wrk loads); wrk reports latency percentiles, which are parsed from its `--latency` output.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Endpoint } from './http-request.ts';

export interface WrkRun {
  endpoint: Endpoint;
  headers: Record<string, string>;
  connections: number;
  threads: number;
  seconds: number;
  /** GET paths, sent in turn. */
  paths: string[];
}

export interface WrkSummary {
  requests: number;
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  /** Non-2xx/3xx responses, socket errors and timeouts. */
  errors: number;
}

/** The wrk binary on PATH, or undefined. */
export function wrkBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

const luaString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** wrk's durations: `512.00us`, `1.20ms`, `2.01s`. */
function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: unreadable duration "${text}"`);
  const value = Number(m[1]);
  return m[2] === 'us' ? value / 1000 : m[2] === 'ms' ? value : m[2] === 's' ? value * 1000 : value * 60_000;
}

export function parseWrkOutput(out: string): WrkSummary {
  const percentile = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(out);
    if (!m) throw new Error(`wrk: no ${p}% latency in:\n${out}`);
    return toMs(m[1]!);
  };
  const requests = /(\d+) requests in/.exec(out);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!requests || !rate) throw new Error(`wrk: no totals in:\n${out}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors =
    (socket ? socket.slice(1).reduce((n, x) => n + Number(x), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return {
    requests: Number(requests[1]),
    rate: Number(rate[1]),
    p50: percentile('50'),
    p90: percentile('90'),
    p99: percentile('99'),
    errors,
  };
}

export async function runWrk(binary: string, run: WrkRun): Promise<WrkSummary> {
  const dir = mkdtempSync(join(os.tmpdir(), 'routeplane-wrk-'));
  try {
    const script = join(dir, 'paths.lua');
    const headers = Object.entries(run.headers)
      .map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`)
      .join('\n');
    writeFileSync(
      script,
      `${headers}\nlocal paths = {${run.paths.map(luaString).join(',')}}\n` +
        'local i = 0\n' +
        'request = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n',
    );
    const args = [
      `-t${run.threads}`,
      `-c${run.connections}`,
      `-d${run.seconds}s`,
      '--latency',
      '-s',
      script,
      `http://${run.endpoint.host}:${run.endpoint.port}/`,
    ];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}:\n${text}`)),
      );
    });
    return parseWrkOutput(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
