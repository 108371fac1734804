// Routeplane as a user runs it: `routeplane planet` to write the private planet, then
// `routeplane serve` as a child process inside the controller's namespace, UDP bound to the
// underlay address, the HTTP API on the management link.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun, type Lab, type LabProcess } from './lab.ts';
import { waitFor } from './wait.ts';

export const ROUTEPLANE_BIN = fileURLToPath(new URL('../../bin/routeplane.mjs', import.meta.url));
const API_PORT = 9994;

export interface ApiResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
  body: any;
  text: string;
}

export class RouteplaneProcess {
  readonly token = randomBytes(16).toString('hex');
  readonly url: string;
  process?: LabProcess;
  address = '';

  constructor(
    private readonly lab: Lab,
    readonly dataDir: string,
    readonly logFile: string,
  ) {
    this.url = `http://${lab.mgmtIp}:${API_PORT}`;
  }

  /** `routeplane planet --data-dir D --out FILE --endpoint 192.0.2.1/9993` (creates the identity too). */
  async writePlanet(out: string, endpoint: string): Promise<string> {
    return mustRun(
      process.execPath,
      [ROUTEPLANE_BIN, 'planet', '--data-dir', this.dataDir, '--out', out, '--endpoint', endpoint],
      120_000,
    );
  }

  async start(): Promise<void> {
    const { controller } = this.lab;
    this.process = this.lab.spawn(
      'routeplane',
      controller.ns,
      [
        process.execPath,
        ROUTEPLANE_BIN,
        'serve',
        '--data-dir',
        this.dataDir,
        '--host',
        this.lab.mgmtIp,
        '--port',
        String(API_PORT),
        '--udp-port',
        '9993',
        '--udp-bind',
        controller.ip,
      ],
      this.logFile,
      {
        ROUTEPLANE_TOKEN: this.token,
        // Test the working tree, not a dist/ build that may be older.
        ROUTEPLANE_FROM_SOURCE: '1',
        ROUTEPLANE_LOG_LEVEL: process.env.ROUTEPLANE_LOG_LEVEL ?? 'info',
      },
    );
    const status = await waitFor(
      'routeplane serve to answer GET /status',
      async () => {
        if (this.process && !this.process.running)
          throw new Error(`routeplane exited:\n${this.process.tail()}`);
        try {
          const response = await this.request('GET', '/status');
          return response.status === 200 ? (response.body as { address: string }) : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    this.address = status.address;
  }

  async request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const headers: Record<string, string> = { 'X-ZT1-Auth': this.token };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text };
  }

  /** Like `request`, but a non-2xx answer is an error naming the call. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
  async api(method: string, path: string, body?: unknown): Promise<any> {
    const response = await this.request(method, path, body);
    if (response.status < 200 || response.status > 299)
      throw new Error(`${method} ${path} → ${response.status}: ${response.text}`);
    return response.body;
  }

  /** The Prometheus samples whose name starts with `prefix`, as `name{labels}` → value. */
  async metrics(prefix = 'routeplane_'): Promise<Map<string, number>> {
    const response = await this.request('GET', '/metrics');
    const samples = new Map<string, number>();
    for (const line of response.text.split('\n')) {
      if (!line.startsWith(prefix)) continue;
      const space = line.lastIndexOf(' ');
      samples.set(line.slice(0, space), Number(line.slice(space + 1)));
    }
    return samples;
  }
}

export function dataDirIn(root: string): string {
  return join(root, 'routeplane-data');
}
