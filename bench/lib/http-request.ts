// One HTTP request with node:http, timed from before the request is created until the last body byte.
import http from 'node:http';
import { elapsedMsSince } from './stats.ts';

export interface Endpoint {
  host: string;
  port: number;
}

export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Give up (reject) after this long without the whole answer (default 120 s): a benchmark must
   * fail with a message, never hang (a probe of a port nobody listens on yet can even connect to
   * itself on loopback and wait forever).
   */
  timeoutMs?: number;
}

export interface HttpResult {
  status: number;
  body: Buffer;
  /** Milliseconds from creating the request to the end of the response body. */
  ms: number;
}

/**
 * `agent: false` opens a fresh connection for this request only and sends `Connection: close`, so
 * every request pays the TCP handshake and the server's connection setup, as clients without
 * keep-alive do.
 */
export function httpRequest(
  endpoint: Endpoint,
  spec: RequestSpec,
  agent: http.Agent | false,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.body !== undefined) headers['content-length'] = String(Buffer.byteLength(spec.body));
    if (agent === false) headers.connection = 'close';
    const request = http.request(
      {
        host: endpoint.host,
        port: endpoint.port,
        method: spec.method ?? 'GET',
        path: spec.path,
        headers,
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks),
            ms: elapsedMsSince(start),
          }),
        );
      },
    );
    request.setTimeout(spec.timeoutMs ?? 120_000, () =>
      request.destroy(
        new Error(`${spec.method ?? 'GET'} ${spec.path}: no answer within ${spec.timeoutMs ?? 120_000} ms`),
      ),
    );
    request.on('error', reject);
    request.end(spec.body);
  });
}

/** The parsed JSON body of a 2xx answer; anything else throws with the status and the body. */
export function expectJson<T>(result: HttpResult, what: string): T {
  const text = result.body.toString('utf8');
  if (result.status < 200 || result.status > 299)
    throw new Error(`${what}: HTTP ${result.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}
