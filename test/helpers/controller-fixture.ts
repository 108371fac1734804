// Starts a real controller (real SQLite file, real HTTP on an ephemeral loopback port) in a fresh
// temp data dir. By default it reuses the recorded run-baseline controller identity, so network IDs
// start with f8ea0e7924 like the recordings, and no identity has to be generated.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startController, type RunningController } from '../../src/main.ts';
import { sharedFile } from './shared-vectors.ts';

export const RECORDED_CONTROLLER = 'f8ea0e7924';

export interface TestController {
  controller: RunningController;
  dataDir: string;
  url: string;
  token: string;
  request(method: string, path: string, body?: unknown, init?: RequestOptions): Promise<TestResponse>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Stops and deletes the data dir. */
  close(): Promise<void>;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** false: send no token. A string: send that token instead. */
  auth?: boolean | string;
  rawBody?: string;
}

export interface TestResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
  text: string;
  headers: Headers;
}

export async function startTestController(
  options: { recordedIdentity?: boolean; uiDir?: string } = {},
): Promise<TestController> {
  const dataDir = mkdtempSync(join(tmpdir(), 'routeplane-test-'));
  if (options.recordedIdentity ?? true) {
    copyFileSync(sharedFile('run-baseline', 'controller-identity.secret'), join(dataDir, 'identity.secret'));
    copyFileSync(sharedFile('run-baseline', 'controller-identity.public'), join(dataDir, 'identity.public'));
  }
  const boot = () =>
    startController({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      udpPort: 0,
      udpBind: '127.0.0.1',
      uiDir: options.uiDir,
      logger: pino({ level: 'silent' }),
    });
  let controller = await boot();
  let stopped = false;

  const fixture: TestController = {
    get controller() {
      return controller;
    },
    dataDir,
    get url() {
      return controller.url;
    },
    get token() {
      return controller.token;
    },
    async request(method, path, body, init = {}) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (init.auth === undefined || init.auth === true) headers['X-ZT1-Auth'] = controller.token;
      else if (typeof init.auth === 'string') headers['X-ZT1-Auth'] = init.auth;
      let payload: string | undefined = init.rawBody;
      if (payload === undefined && body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(controller.url + path, { method, headers, body: payload });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text, headers: response.headers };
    },
    async restart() {
      await controller.close();
      controller = await boot();
    },
    async stop() {
      if (!stopped) await controller.close();
      stopped = true;
    },
    async close() {
      await fixture.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}
