// A `routeplane serve` child process on a shared PostgreSQL schema, as an operator runs several:
// its output lines are kept with arrival times (takeover is timed from them), and it can be killed
// with SIGKILL like a crashed host.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROUTEPLANE_BIN = fileURLToPath(new URL('../../bin/routeplane.mjs', import.meta.url));

export interface Line {
  at: number;
  text: string;
}

export interface ControllerProcessOptions {
  dataDir: string;
  databaseUrl: string;
  schema: string;
  udpPort: number;
  env?: Record<string, string>;
}

export class ControllerProcess {
  readonly lines: Line[] = [];
  private readonly child: ChildProcess;
  private exited = false;
  url = '';

  constructor(options: ControllerProcessOptions) {
    this.child = spawn(
      process.execPath,
      [
        ROUTEPLANE_BIN,
        'serve',
        '--data-dir',
        options.dataDir,
        '--port',
        '0',
        '--udp-port',
        String(options.udpPort),
        '--udp-bind',
        '127.0.0.1',
        '--database',
        options.databaseUrl,
        '--database-schema',
        options.schema,
      ],
      {
        // The working tree, not a dist/ build that may be older.
        env: { ...process.env, ROUTEPLANE_FROM_SOURCE: '1', ROUTEPLANE_LOG_LEVEL: 'warn', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer) => {
      const at = Date.now();
      for (const text of chunk.toString('utf8').split('\n')) if (text !== '') this.lines.push({ at, text });
    };
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.child.on('exit', () => (this.exited = true));
  }

  get running(): boolean {
    return !this.exited;
  }

  /** The first line matching `pattern` (waiting for it), with its arrival time. */
  async waitForLine(pattern: RegExp, timeoutMs = 30_000): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l.text));
      if (line) return line;
      if (this.exited) throw new Error(`routeplane exited before ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async started(): Promise<void> {
    const line = await this.waitForLine(/API listening on (http:\S+)/);
    this.url = /API listening on (http:\S+)/.exec(line.text)![1]!;
  }

  tail(lines = 30): string {
    return this.lines
      .slice(-lines)
      .map((l) => l.text)
      .join('\n');
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
