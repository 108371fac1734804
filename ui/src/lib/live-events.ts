// The live event stream (`GET /api/v1/events/stream`) read with fetch() and a streaming reader, so
// the token travels in a header. Reconnects after a drop with Last-Event-ID, so nothing is missed;
// backs off while the controller is away; stops on a 401 (the app signs out).
import type { EventJson } from './api-types.ts';
import { SseParser } from './sse-parser.ts';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface LiveEventsOptions {
  /** Authenticated fetch of an API path (api-client's `fetch`). */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  /** Resume after this event id (the newest the app already has). */
  after?: number;
  onEvent: (event: EventJson) => void;
  onState?: (state: StreamState) => void;
  /** Waits between attempts: first, then doubling up to max (ms). */
  retryMs?: number;
  maxRetryMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const sleepFor = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Starts streaming; the returned function stops it. */
export function startLiveEvents(options: LiveEventsOptions): () => void {
  const controller = new AbortController();
  const signal = controller.signal;
  const sleep = options.sleep ?? sleepFor;
  const baseRetry = options.retryMs ?? 1000;
  const maxRetry = options.maxRetryMs ?? 15_000;
  let lastId = options.after === undefined ? '' : String(options.after);
  let state: StreamState | undefined;
  const setState = (next: StreamState) => {
    if (next === state) return;
    state = next;
    options.onState?.(next);
  };

  const run = async () => {
    let wait = baseRetry;
    setState('connecting');
    while (!signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (lastId !== '') headers['last-event-id'] = lastId;
        const response = await options.fetch('/api/v1/events/stream', { headers, signal });
        if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
        setState('live');
        wait = baseRetry;
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const message of parser.push(value)) {
            try {
              options.onEvent(JSON.parse(message.data) as EventJson);
            } catch {
              // A message we cannot read is skipped, not fatal.
            }
          }
          lastId = parser.lastEventId || lastId;
          if (parser.retry !== undefined) wait = Math.max(parser.retry, baseRetry);
        }
      } catch (error) {
        if (signal.aborted) break;
        // A revoked token: api-client has told the app already; retrying would be pointless.
        if (error instanceof Error && error.name === 'ApiError') break;
      }
      if (signal.aborted) break;
      setState('reconnecting');
      await sleep(wait, signal);
      wait = Math.min(wait * 2, maxRetry);
    }
    setState('stopped');
  };
  void run();
  return () => controller.abort();
}
