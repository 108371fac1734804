// Load generators: autocannon for keep-alive clients, a node:http loop for clients that open a new
// connection per request (autocannon has no such switch). Both record every response time exactly
// (autocannon's own histogram has 1 ms resolution, too coarse for sub-millisecond figures).
import autocannon, { type RequestParams, type Result } from 'autocannon';
import { httpRequest, type Endpoint, type RequestSpec } from './http-request.ts';
import { elapsedMsSince, summarize, type LatencySummary } from './stats.ts';

export interface LoadRun {
  endpoint: Endpoint;
  /** Sent with every request (the API token …). */
  headers: Record<string, string>;
  concurrency: number;
  /** The next request to send: called once per request. */
  next: () => RequestSpec;
  /** Stop after this many requests … */
  requests?: number;
  /** … or after this many seconds. */
  seconds?: number;
}

const isOk = (status: number) => status >= 200 && status < 300;

/** Keep-alive clients: `concurrency` persistent connections, one request in flight on each. */
export async function runKeepAlive(run: LoadRun): Promise<LatencySummary> {
  const samples: number[] = [];
  let failed = 0;
  const start = process.hrtime.bigint();
  // autocannon ends a run only at its next 1-second sampling tick, so the rate is taken up to the
  // last response, not up to the end of the run (a 0.4 s run would otherwise count as 1 s).
  let last = start;
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://${run.endpoint.host}:${run.endpoint.port}`,
        connections: run.concurrency,
        ...(run.requests !== undefined ? { amount: run.requests } : { duration: run.seconds ?? 10 }),
        timeout: 30,
        headers: run.headers,
        requests: [
          {
            setupRequest: (request: RequestParams): RequestParams => {
              const next = run.next();
              return { ...request, ...next, headers: { ...request.headers, ...next.headers } };
            },
          },
        ],
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      last = process.hrtime.bigint();
      if (isOk(status)) samples.push(ms);
      else failed++;
    });
  });
  // `errors` counts connection errors and timeouts; non-2xx answers were counted above.
  return summarize(samples, failed + result.errors, Number(last - start) / 1e6);
}

/** Clients without keep-alive: every request opens (and closes) its own connection. */
export async function runNewConnectionPerRequest(run: LoadRun): Promise<LatencySummary> {
  const samples: number[] = [];
  let failed = 0;
  let issued = 0;
  const start = process.hrtime.bigint();
  const more = () =>
    run.requests !== undefined ? issued < run.requests : elapsedMsSince(start) < (run.seconds ?? 10) * 1000;
  const worker = async () => {
    while (more()) {
      issued++;
      const spec = run.next();
      try {
        const result = await httpRequest(
          run.endpoint,
          { ...spec, headers: { ...run.headers, ...spec.headers } },
          false,
        );
        if (isOk(result.status)) samples.push(result.ms);
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: run.concurrency }, worker));
  return summarize(samples, failed, elapsedMsSince(start));
}
