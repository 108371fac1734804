// A throwaway network lab made of Linux network namespaces, for running real zerotier-one members
// against Routeplane. Nothing here touches the host's own networking except one veth pair in
// 198.51.100.0/24 (TEST-NET-2) so the test process can reach the controller's HTTP API.
//
//   host ── veth (198.51.100.4k+1 ↔ .4k+2, "mgmt") ──┐
//                                                   rp-zt<pid>-ctl: bridge br0 192.0.2.1/24 (ZeroTier underlay)
//                          rp-zt<pid>-a: eth0 192.0.2.2/24 ──┤ (veth, port of br0)
//                          rp-zt<pid>-b: eth0 192.0.2.3/24 ──┘
//
// The underlay (192.0.2.0/24, TEST-NET-1) exists only inside the namespaces: the host may well use
// that range itself, which is why the management link uses another one.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; never throws for a non-zero exit (see `mustRun`). */
export function run(command: string, args: string[], timeoutMs = 30_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr: stderr || (error && code === -1 ? String(error) : '') });
    });
  });
}

export async function mustRun(command: string, args: string[], timeoutMs?: number): Promise<string> {
  const result = await run(command, args, timeoutMs);
  if (result.code !== 0)
    throw new Error(`\`${[command, ...args].join(' ')}\` exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

const PREFIX = 'rp-zt';

export interface LabNode {
  /** Network namespace name. */
  ns: string;
  /** Underlay address (192.0.2.0/24). */
  ip: string;
}

/** A process started inside a namespace, with its output in a log file. */
export class LabProcess {
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      });
      child.once('error', () => {
        this.exitCode = -1;
        resolve(-1);
      });
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last lines of the process's output, for failure messages. */
  tail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running || this.child.pid === undefined) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export class Lab {
  readonly tag: string;
  readonly controller: LabNode;
  readonly members: LabNode[];
  /** The controller namespace's address on the management link, reachable from the host. */
  readonly mgmtIp: string;
  private readonly hostIp: string;
  private readonly hostVeth: string;
  private readonly processes: LabProcess[] = [];
  private created = false;

  constructor(memberCount = 2) {
    this.tag = `${PREFIX}${process.pid}`;
    this.controller = { ns: `${this.tag}-ctl`, ip: '192.0.2.1' };
    this.members = Array.from({ length: memberCount }, (_, i) => ({
      ns: `${this.tag}-${String.fromCharCode(97 + i)}`,
      ip: `192.0.2.${i + 2}`,
    }));
    // A /30 of TEST-NET-2 per run (by pid), so two runs on one host do not collide.
    const block = (process.pid % 64) * 4;
    this.hostIp = `198.51.100.${block + 1}`;
    this.mgmtIp = `198.51.100.${block + 2}`;
    this.hostVeth = `rpzt${process.pid}m`.slice(0, 15);
  }

  get namespaces(): string[] {
    return [this.controller.ns, ...this.members.map((m) => m.ns)];
  }

  /** Removes namespaces left by earlier runs of this harness whose test process is gone. */
  static async removeStale(): Promise<string[]> {
    const list = await run('ip', ['netns', 'list']);
    const removed: string[] = [];
    for (const line of list.stdout.split('\n')) {
      const name = line.split(' ')[0] ?? '';
      const match = /^rp-zt(\d+)-(ctl|[a-z])$/.exec(name);
      if (!match || pidAlive(Number(match[1]))) continue;
      await killNamespaceProcesses(name);
      await run('ip', ['netns', 'del', name]);
      removed.push(name);
    }
    return removed;
  }

  async create(): Promise<void> {
    this.created = true;
    const ctl = this.controller.ns;
    for (const ns of this.namespaces) {
      await mustRun('ip', ['netns', 'add', ns]);
      await this.exec(ns, ['ip', 'link', 'set', 'lo', 'up']);
    }
    await this.exec(ctl, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    await this.exec(ctl, ['ip', 'addr', 'add', `${this.controller.ip}/24`, 'dev', 'br0']);
    await this.exec(ctl, ['ip', 'link', 'set', 'br0', 'up']);
    for (const [i, member] of this.members.entries()) {
      // Not `v<letter>`: `vf` is a keyword of `ip link add/set`, which broke the sixth member.
      const port = `veth-${String.fromCharCode(97 + i)}`;
      await this.exec(ctl, [
        'ip',
        'link',
        'add',
        port,
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        member.ns,
      ]);
      await this.exec(ctl, ['ip', 'link', 'set', port, 'master', 'br0', 'up']);
      await this.exec(member.ns, ['ip', 'addr', 'add', `${member.ip}/24`, 'dev', 'eth0']);
      await this.exec(member.ns, ['ip', 'link', 'set', 'eth0', 'up']);
    }
    await mustRun('ip', ['link', 'add', this.hostVeth, 'type', 'veth', 'peer', 'name', 'mgmt', 'netns', ctl]);
    await mustRun('ip', ['addr', 'add', `${this.hostIp}/30`, 'dev', this.hostVeth]);
    await mustRun('ip', ['link', 'set', this.hostVeth, 'up']);
    await this.exec(ctl, ['ip', 'addr', 'add', `${this.mgmtIp}/30`, 'dev', 'mgmt']);
    await this.exec(ctl, ['ip', 'link', 'set', 'mgmt', 'up']);
  }

  /** Runs a command inside a namespace; throws on a non-zero exit. */
  exec(ns: string, argv: string[], timeoutMs?: number): Promise<string> {
    return mustRun('ip', ['netns', 'exec', ns, ...argv], timeoutMs);
  }

  /** Runs a command inside a namespace; returns the exit code and output. */
  tryExec(ns: string, argv: string[], timeoutMs?: number): Promise<ExecResult> {
    return run('ip', ['netns', 'exec', ns, ...argv], timeoutMs);
  }

  /** Starts a long-running process inside a namespace; stdout and stderr go to `logFile`. */
  spawn(name: string, ns: string, argv: string[], logFile: string, env: NodeJS.ProcessEnv = {}): LabProcess {
    const log = createWriteStream(logFile);
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('exit', () => setTimeout(() => log.end(), 50));
    const proc = new LabProcess(name, child, logFile);
    this.processes.push(proc);
    return proc;
  }

  /** Stops every process it started, then deletes the namespaces (and so every veth and tap). */
  async destroy(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    if (!this.created) return;
    for (const ns of this.namespaces) {
      await killNamespaceProcesses(ns);
      await run('ip', ['netns', 'del', ns]);
    }
    await run('ip', ['link', 'del', this.hostVeth]); // normally gone with its peer already
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Processes still inside one of our namespaces (e.g. orphans of a killed test run). */
async function killNamespaceProcesses(ns: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', ns]);
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
