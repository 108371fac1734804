import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './api-client.ts';
import type { EventJson } from './api-types.ts';
import { startLiveEvents, type StreamState } from './live-events.ts';

const event = (id: number): EventJson => ({
  id,
  time: 0,
  networkId: null,
  memberAddress: null,
  type: 'network.created',
  actor: 'api',
  reason: 'r',
  data: {},
});

function sseBody(text: string): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream' } },
  );
}

describe('live events', () => {
  it('resumes after a drop with the last id it saw, and reports its state', async () => {
    const sent: Array<string | null> = [];
    const got: number[] = [];
    const states: StreamState[] = [];
    const bodies = [
      `retry: 10\nid: 5\n\nid: 6\ndata: ${JSON.stringify(event(6))}\n\n`,
      `id: 7\ndata: ${JSON.stringify(event(7))}\n\n`,
    ];
    let stop: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      stop = startLiveEvents({
        after: 4,
        fetch: async (_path, init) => {
          sent.push(new Headers(init?.headers).get('last-event-id'));
          const body = bodies.shift();
          if (body === undefined) {
            resolve();
            return new Promise<Response>(() => {});
          }
          return sseBody(body);
        },
        onEvent: (e) => got.push(e.id),
        onState: (s) => states.push(s),
        sleep: async () => {},
      });
    });
    await done;
    stop();
    assert.deepEqual(got, [6, 7]);
    assert.deepEqual(sent, ['4', '6', '7']);
    assert.deepEqual(states.slice(0, 4), ['connecting', 'live', 'reconnecting', 'live']);
  });

  it('backs off while the controller is away', async () => {
    const waits: number[] = [];
    let calls = 0;
    let stop: () => void = () => {};
    await new Promise<void>((resolve) => {
      stop = startLiveEvents({
        fetch: async () => {
          if (++calls === 5) resolve();
          throw new TypeError('fetch failed');
        },
        onEvent: () => {},
        retryMs: 100,
        maxRetryMs: 500,
        sleep: async (ms) => {
          waits.push(ms);
        },
      });
    });
    stop();
    assert.deepEqual(waits.slice(0, 4), [100, 200, 400, 500]);
  });

  it('stops for good on a rejected token', async () => {
    const states: StreamState[] = [];
    await new Promise<void>((resolve) => {
      startLiveEvents({
        fetch: async () => {
          throw new ApiError('invalid API token', 401);
        },
        onEvent: () => {},
        onState: (s) => {
          states.push(s);
          if (s === 'stopped') resolve();
        },
        sleep: async () => {},
      });
    });
    assert.deepEqual(states, ['connecting', 'stopped']);
  });
});
