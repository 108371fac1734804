// `GET /api/v1/events/stream`: the event log as server-sent events, for the dashboard's live timeline
// and for scripts (`curl -N`). The log in the store is the source of truth: each stream reads events
// after its cursor, woken by this process's committed writes and by a short poll (events written by
// another instance on a shared database, or without a change notification). Resumable: an event's
// SSE id is its log id, so a reconnect with `Last-Event-ID` (or `?after=`) misses nothing.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ControllerService } from '../../service/controller-service.ts';
import type { EventQuery, StoredEvent } from '../../store/store.ts';
import { invalidField } from '../../core/errors.ts';
import { parseEventQuery } from './routing-routes.ts';

export interface EventStreamOptions {
  /** How often each stream looks for events nobody announced (ms). */
  pollMs?: number;
  /** A comment line this often keeps proxies and the client's idle timers from closing it (ms). */
  heartbeatMs?: number;
}

const DEFAULT_POLL_MS = 1000;
const DEFAULT_HEARTBEAT_MS = 15_000;
/** Events per store read; a client far behind catches up in several reads. */
const BATCH = 500;
/** What the browser waits before reconnecting after a drop (the SSE `retry` field). */
const RETRY_MS = 2000;
const STREAM_PARAMS = ['network', 'member', 'type', 'after', 'auth'];

type StreamRequest = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

/** `?network=&member=&type=&after=` (the list's filters, no paging) → filter and cursor. */
export function parseStreamQuery(query: Record<string, string | undefined>): {
  filter: EventQuery;
  after: number | undefined;
} {
  const unknown = Object.keys(query).filter((key) => !STREAM_PARAMS.includes(key));
  if (unknown.length > 0)
    throw invalidField(unknown[0]!, `unknown parameter; expected ${STREAM_PARAMS.slice(0, -1).join(', ')}`);
  const { afterId, networkId, memberAddress, typePrefix } = parseEventQuery(query);
  const filter: EventQuery = {};
  if (networkId !== undefined) filter.networkId = networkId;
  if (memberAddress !== undefined) filter.memberAddress = memberAddress;
  if (typePrefix !== undefined) filter.typePrefix = typePrefix;
  return { filter, after: afterId };
}

/** The `Last-Event-ID` a reconnecting client sends; it wins over `?after=`. */
export function lastEventIdOf(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^\d{1,15}$/.test(value.trim()))
    throw invalidField(
      'Last-Event-ID',
      `expected an event id (a whole number), got ${JSON.stringify(value)}`,
    );
  return Number(value.trim());
}

/** One event in the SSE wire format; JSON never contains a raw newline, so one `data:` line. */
export function sseMessage(event: StoredEvent): string {
  return `id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function registerEventStream(
  app: FastifyInstance,
  service: ControllerService,
  options: EventStreamOptions = {},
): void {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const open = new Set<() => void>();
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/api/v1/events/stream',
    {
      schema: {
        tags: ['events'],
        summary:
          'The event log as server-sent events (text/event-stream): ?network=&member=&type=<prefix>; ' +
          'resumes after the Last-Event-ID header (or ?after=<id>), else starts with the next event',
      },
    },
    async (request: StreamRequest, reply) => {
      const { filter, after } = parseStreamQuery(request.query);
      const resume = lastEventIdOf(request.headers['last-event-id']) ?? after;
      const newest = (await service.listEvents({ order: 'desc', limit: 1 }))[0]?.id ?? 0;
      // An id beyond the newest comes from another database (restored, replaced): start at the end.
      let cursor = resume === undefined ? newest : Math.min(resume, newest);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store',
        // The socket ends with the stream: never an idle keep-alive left holding a shutdown up.
        connection: 'close',
        // nginx and friends would otherwise buffer the stream.
        'x-accel-buffering': 'no',
      });
      res.flushHeaders();
      // The id line without data sets the client's cursor, so even a quiet stream resumes exactly.
      res.write(`retry: ${RETRY_MS}\nid: ${cursor}\n\n`);

      let closed = false;
      let reading = false;
      let again = false;
      const closedSignal = new Promise<void>((resolve) => res.once('close', () => resolve()));

      const write = async (text: string) => {
        if (res.write(text)) return;
        // A slow client: wait until its buffer drained (or it left) before reading more events.
        await Promise.race([
          new Promise<void>((resolve) => res.once('drain', () => resolve())),
          closedSignal,
        ]);
      };
      const pump = async (): Promise<void> => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            const events = await service.listEvents({
              ...filter,
              afterId: cursor,
              order: 'asc',
              limit: BATCH,
            });
            for (const event of events) {
              if (closed) return;
              await write(sseMessage(event));
              cursor = event.id;
            }
            if (events.length === BATCH) again = true;
          } while (again && !closed);
        } catch (error) {
          // A failed read is retried at the next wake-up; the cursor did not move.
          request.log.warn({ err: error }, 'event stream read failed');
        } finally {
          reading = false;
        }
      };

      const poll = setInterval(() => void pump(), pollMs);
      const heartbeat = setInterval(() => {
        if (!closed) res.write(': keep-alive\n\n');
      }, heartbeatMs);
      // Committed writes of this process wake every stream at once instead of at the next poll.
      const unsubscribe = service.changes.subscribe(() => void pump());
      const end = () => {
        if (closed) return;
        closed = true;
        clearInterval(poll);
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        res.end();
      };
      open.add(end);
      res.on('close', end);
      void pump();
    },
  );
}
