// `GET /api/v1/events/stream` over real HTTP: authenticated like the rest, events as they are
// committed, resumable with Last-Event-ID (nothing missed, nothing repeated), filtered, heartbeats,
// events written without a change notification (another instance) found by the poll, and every
// stream's timers and subscription gone when its client leaves or the server closes. Read with the
// dashboard's own SSE parser.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../src/api/server.ts';
import { ControllerService } from '../src/service/controller-service.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { SseParser, type SseMessage } from '../ui/src/lib/sse-parser.ts';

const CONTROLLER = 'f8ea0e7924';
const TOKEN = 'event-stream-test-token';
const HEARTBEAT_MS = 300;
const POLL_MS = 200;

interface Stream {
  status: number;
  headers: IncomingHttpHeaders;
  messages: SseMessage[];
  raw: string;
  parser: SseParser;
  /** Resolves when `count` messages arrived (or rejects after `ms`). */
  waitFor(count: number, ms?: number): Promise<SseMessage[]>;
  waitForText(text: string, ms?: number): Promise<void>;
  close(): void;
}

describe('live event stream (server-sent events)', () => {
  let dir: string;
  let store: Store;
  let service: ControllerService;
  let app: FastifyInstance;
  let url: string;
  let subscribed = 0;

  /** A stream over its own socket (node:http, no pool): closing it really closes the connection. */
  function open(path = '/api/v1/events/stream', headers: Record<string, string> = {}): Promise<Stream> {
    return new Promise((resolve, reject) => {
      const request = get(
        url + path,
        { agent: false, headers: { 'X-ZT1-Auth': TOKEN, ...headers } },
        (res) => {
          const parser = new SseParser();
          const stream: Stream = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            messages: [],
            raw: '',
            parser,
            async waitFor(count, ms = 3000) {
              const deadline = Date.now() + ms;
              while (stream.messages.length < count) {
                if (Date.now() > deadline)
                  throw new Error(`expected ${count} messages, got ${stream.messages.length}: ${stream.raw}`);
                await new Promise((r) => setTimeout(r, 20));
              }
              return stream.messages;
            },
            async waitForText(text, ms = 3000) {
              const deadline = Date.now() + ms;
              while (!stream.raw.includes(text)) {
                if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} in ${stream.raw}`);
                await new Promise((r) => setTimeout(r, 20));
              }
            },
            close: () => request.destroy(),
          };
          res.setEncoding('utf8');
          res.on('data', (text: string) => {
            stream.raw += text;
            if (stream.status === 200) stream.messages.push(...parser.push(text));
          });
          res.on('error', () => undefined);
          resolve(stream);
        },
      );
      request.on('error', (error) => {
        if (!request.destroyed) reject(error);
      });
    });
  }

  const types = (messages: SseMessage[]) => messages.map((m) => JSON.parse(m.data).type as string);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-sse-'));
    store = await openSqliteStore({ file: join(dir, 'controller.db') });
    let random = 0x20;
    service = new ControllerService({ store, controllerAddress: CONTROLLER, randomBelow: () => random++ });
    // Count live subscriptions, to prove each stream drops its own.
    const subscribe = service.changes.subscribe.bind(service.changes);
    service.changes.subscribe = (listener) => {
      subscribed++;
      const stop = subscribe(listener);
      return () => {
        subscribed--;
        return stop();
      };
    };
    app = await buildApi({
      service,
      token: TOKEN,
      publicIdentity: `${CONTROLLER}:0:${'ab'.repeat(64)}`,
      udpPort: 9993,
      version: 'test',
      uiDir: null,
      eventStream: { heartbeatMs: HEARTBEAT_MS, pollMs: POLL_MS },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    subscribed = 0;
  });

  after(async () => {
    await app?.close();
    await service?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs the token like every API call, and checks its parameters', async () => {
    const anonymous = await fetch(`${url}/api/v1/events/stream`);
    assert.equal(anonymous.status, 401);
    const badId = await open('/api/v1/events/stream', { 'Last-Event-ID': 'yesterday' });
    assert.equal(badId.status, 400);
    await badId.waitForText('Last-Event-ID');
    const unknown = await open('/api/v1/events/stream?limit=5');
    assert.equal(unknown.status, 400);
    await unknown.waitForText('limit');
  });

  it('sends events as they are committed, starting after the newest one (the cursor is sent first)', async () => {
    await service.createNetwork({ name: 'before the stream' });
    const stream = await open();
    assert.equal(stream.status, 200);
    assert.match(stream.headers['content-type'] ?? '', /^text\/event-stream/);
    assert.match(stream.headers['cache-control'] ?? '', /no-cache/);
    const newest = (await service.listEvents({ order: 'desc', limit: 1 }))[0]!.id;
    await stream.waitForText('retry:');
    assert.equal(stream.parser.lastEventId, String(newest), 'the cursor, before any event');
    const started = Date.now();
    await service.createNetwork({ name: 'live' });
    const [message] = await stream.waitFor(1);
    assert.ok(Date.now() - started < POLL_MS, 'woken by the commit, not the poll');
    const event = JSON.parse(message!.data);
    assert.equal(event.type, 'network.created');
    assert.equal(message!.lastEventId, String(event.id));
    assert.equal(event.id, newest + 1);
    stream.close();
  });

  it('resumes after Last-Event-ID: the events missed while away, in order, none twice', async () => {
    const first = await open();
    const network = await service.createNetwork({ name: 'resume' });
    await first.waitFor(1);
    const seen = first.parser.lastEventId;
    first.close();
    await service.upsertNetwork(network.id, { name: 'renamed while away' });
    await service.upsertMember(network.id, 'a1b2c3d4e5', { authorized: true });
    const again = await open('/api/v1/events/stream', { 'Last-Event-ID': seen });
    const messages = await again.waitFor(3);
    assert.deepEqual(types(messages), ['network.updated', 'member.created', 'member.authorized']);
    const ids = messages.map((m) => Number(m.lastEventId));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    assert.equal(ids[0], Number(seen) + 1);
    again.close();
    // `?after=` is the same for clients that cannot set the header.
    const byQuery = await open(`/api/v1/events/stream?after=${seen}`);
    assert.deepEqual(types(await byQuery.waitFor(3)), [
      'network.updated',
      'member.created',
      'member.authorized',
    ]);
    byQuery.close();
    // An id from another database (restored from a backup) resumes at the newest event.
    const beyond = await open('/api/v1/events/stream', { 'Last-Event-ID': '999999999' });
    await beyond.waitForText('retry:');
    const newest = (await service.listEvents({ order: 'desc', limit: 1 }))[0]!.id;
    assert.equal(beyond.parser.lastEventId, String(newest));
    await service.createNetwork({ name: 'after a restore' });
    assert.equal(JSON.parse((await beyond.waitFor(1))[0]!.data).type, 'network.created');
    beyond.close();
  });

  it('filters by network and type prefix', async () => {
    const a = await service.createNetwork({ name: 'a' });
    const b = await service.createNetwork({ name: 'b' });
    const stream = await open(`/api/v1/events/stream?network=${b.id}&type=member.`);
    await stream.waitForText('retry:');
    await service.upsertMember(a.id, 'a1b2c3d4e6', { authorized: true });
    await service.upsertNetwork(b.id, { name: 'b2' });
    await service.upsertMember(b.id, 'a1b2c3d4e7', {});
    const [message] = await stream.waitFor(1);
    const event = JSON.parse(message!.data);
    assert.deepEqual(
      [event.type, event.networkId, event.memberAddress],
      ['member.created', b.id, 'a1b2c3d4e7'],
    );
    await new Promise((r) => setTimeout(r, POLL_MS * 2));
    assert.equal(stream.messages.length, 1, 'nothing else');
    stream.close();
  });

  it('sends heartbeats on a quiet stream', async () => {
    const stream = await open();
    await stream.waitForText(': keep-alive', HEARTBEAT_MS * 4);
    assert.equal(stream.messages.length, 0, 'a comment is not a message');
    stream.close();
  });

  it('finds events written without a change notification (another instance) by polling', async () => {
    const stream = await open();
    await stream.waitForText('retry:');
    await store.transaction((tx) =>
      tx.appendEvent({
        time: Date.now(),
        networkId: null,
        memberAddress: null,
        type: 'test.elsewhere',
        actor: 'other-instance',
        reason: 'written straight into the shared database',
        data: {},
      }),
    );
    const [message] = await stream.waitFor(1, POLL_MS * 5);
    assert.equal(JSON.parse(message!.data).type, 'test.elsewhere');
    stream.close();
  });

  it('drops its subscription and timers when the client leaves; server close ends open streams', async () => {
    // Streams the earlier tests closed are gone once the server saw their sockets close.
    const settle = async (count: number) => {
      const deadline = Date.now() + 2000;
      while (subscribed !== count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    await settle(0);
    const before = subscribed;
    assert.equal(before, 0);
    const streams = await Promise.all([open(), open(), open()]);
    await Promise.all(streams.map((s) => s.waitForText('retry:')));
    assert.equal(subscribed, before + 3);
    streams[0]!.close();
    streams[1]!.close();
    await settle(before + 1);
    assert.equal(subscribed, before + 1, 'the two closed streams unsubscribed');
    const started = Date.now();
    await app.close();
    assert.ok(Date.now() - started < 2000, 'close is not held up by the open stream');
    assert.equal(subscribed, before, 'the last stream ended with the server');
  });
});
