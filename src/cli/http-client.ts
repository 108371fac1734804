// The HTTP client of the client commands: finds the controller's URL and token, calls the API with
// global fetch, and turns every way a call can fail into a one-line CliError.
import { resolve } from 'node:path';
import { readToken, tokenPath } from '../api/token-file.ts';
import { CliError } from './cli-error.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from './default-options.ts';

export const DEFAULT_URL = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
/** Generous: a create can wait on the store, but a hung controller must not hang a script forever. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface ConnectionOptions {
  url?: string;
  token?: string;
  dataDir: string;
  /** Where `token` came from (commander's option value source), for the 401 hint. */
  tokenFrom?: 'cli' | 'env' | undefined;
}

export interface Connection {
  /** The API base URL without a trailing slash, query or credentials. */
  url: string;
  token: string;
  /** `--token`, `ROUTEPLANE_TOKEN` or the token file's path. */
  tokenSource: string;
}

export function parseBaseUrl(value: string | undefined): string {
  const text = value === undefined || value.trim() === '' ? DEFAULT_URL : value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--url: "${text}" is not a URL (expected e.g. ${DEFAULT_URL})`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--url: "${text}" is not an http:// or https:// URL`, 2);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The URL and token to use: --token, then ROUTEPLANE_TOKEN, then `<data dir>/authtoken.secret`. */
export async function resolveConnection(options: ConnectionOptions): Promise<Connection> {
  const url = parseBaseUrl(options.url);
  const given = options.token?.trim();
  if (given !== undefined && given !== '') {
    return { url, token: given, tokenSource: options.tokenFrom === 'env' ? 'ROUTEPLANE_TOKEN' : '--token' };
  }
  const file = resolve(tokenPath(options.dataDir));
  let token: string | undefined;
  try {
    token = await readToken(options.dataDir);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new CliError(
      `cannot read the API token from ${file} (${reason}); pass --token or set ROUTEPLANE_TOKEN`,
    );
  }
  if (token === undefined) {
    throw new CliError(
      `no API token: looked for --token, ROUTEPLANE_TOKEN and ${file} (not found); ` +
        "pass --token, set ROUTEPLANE_TOKEN, or point --data-dir at the controller's data dir " +
        '("routeplane token --data-dir <dir>" prints it)',
    );
  }
  return { url, token, tokenSource: file };
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/** Why fetch failed, from the error undici hangs on `cause` (sometimes an AggregateError). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const found = [cause, ...((cause as { errors?: unknown[] }).errors ?? [])];
  for (const item of found) {
    const code = (item as { code?: unknown }).code;
    if (typeof code === 'string') return NETWORK_ERRORS[code] ?? code;
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  // The fetch standard refuses some ports outright (1, 6000, 6665-6669 …), without connecting.
  if (message === 'bad port')
    return 'fetch refuses this port (a blocked port of the fetch standard); use another one';
  return message !== '' ? message : 'unknown network error';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class ApiClient {
  constructor(
    readonly connection: Connection,
    private readonly timeoutMs = REQUEST_TIMEOUT_MS,
  ) {}

  get(path: string): Promise<unknown> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown): Promise<unknown> {
    return this.request('POST', path, body);
  }

  patch(path: string, body: unknown): Promise<unknown> {
    return this.request('PATCH', path, body);
  }

  put(path: string, body: unknown): Promise<unknown> {
    return this.request('PUT', path, body);
  }

  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path);
  }

  /** The parsed JSON body of a 2xx answer; anything else is a CliError with a one-line message. */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const { url, token } = this.connection;
    const headers: Record<string, string> = { 'X-ZT1-Auth': token, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let statusText: string;
    let text: string;
    try {
      const response = await fetch(url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      statusText = response.statusText;
      text = await response.text();
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        throw new CliError(`the controller at ${url} did not answer within ${this.timeoutMs / 1000} s`);
      }
      throw new CliError(
        `cannot reach the controller at ${url} (is "routeplane serve" running?): ${networkReason(error)}`,
      );
    }

    let parsed: unknown;
    let isJson = false;
    try {
      parsed = JSON.parse(text);
      isJson = true;
    } catch {
      parsed = undefined;
    }

    if (status >= 200 && status < 300) {
      if (!isJson) {
        throw new CliError(
          `unexpected answer from ${url}${path}: not JSON (is this a Routeplane controller?)`,
        );
      }
      return parsed;
    }
    if (isObject(parsed) && typeof parsed.error === 'string') {
      // Refused for the token: say which one was used (a scoped router token in ROUTEPLANE_TOKEN, say).
      const hint = status === 401 || status === 403 ? ` (token from ${this.connection.tokenSource})` : '';
      throw new CliError(`${parsed.error}${hint}`);
    }
    throw new CliError(
      `unexpected answer from ${url}${path}: HTTP ${status}${statusText ? ` ${statusText}` : ''}` +
        ' (is this a Routeplane controller?)',
    );
  }
}
