// The dashboard's files at /ui: served without a token (the page asks for one), hashed assets
// cached for good and index.html revalidated, pre-compressed variants sent when accepted, strict
// security headers, and a page that says how to build the dashboard when it was not built.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../src/api/server.ts';
import { cacheControlFor } from '../src/api/ui-static.ts';
import { ControllerService } from '../src/service/controller-service.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';

const CONTROLLER = 'f8ea0e7924';
const TOKEN = 'ui-static-test-token';
const SCRIPT = 'console.log("dashboard");\n'.repeat(20);

describe('dashboard files at /ui', () => {
  let dir: string;
  let store: Store;
  let service: ControllerService;
  const apps: FastifyInstance[] = [];

  async function api(uiDir: string | null | undefined): Promise<FastifyInstance> {
    const app = await buildApi({
      service,
      token: TOKEN,
      publicIdentity: `${CONTROLLER}:0:${'ab'.repeat(64)}`,
      udpPort: 9993,
      version: 'test',
      uiDir,
    });
    apps.push(app);
    return app;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'routeplane-ui-'));
    store = await openSqliteStore({ file: join(dir, 'controller.db') });
    service = new ControllerService({ store, controllerAddress: CONTROLLER });
    const ui = join(dir, 'ui');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Routeplane</title>');
    writeFileSync(join(ui, 'assets', 'index-AbC123.js'), SCRIPT);
    writeFileSync(join(ui, 'assets', 'index-AbC123.js.gz'), gzipSync(SCRIPT));
    writeFileSync(join(ui, '.secret'), 'not served');
  });

  after(async () => {
    for (const app of apps) await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page without a token, revalidated on every load, with strict security headers', async () => {
    const app = await api(join(dir, 'ui'));
    const redirect = await app.inject({ method: 'GET', url: '/ui' });
    assert.equal(redirect.statusCode, 301);
    assert.equal(redirect.headers.location, '/ui/');
    const page = await app.inject({ method: 'GET', url: '/ui/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.match(page.body, /<title>Routeplane<\/title>/);
  });

  it('caches hashed assets for good and sends the pre-compressed file when accepted', async () => {
    const app = await api(join(dir, 'ui'));
    const plain = await app.inject({ method: 'GET', url: '/ui/assets/index-AbC123.js' });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.body, SCRIPT);
    const gz = await app.inject({
      method: 'GET',
      url: '/ui/assets/index-AbC123.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.rawPayload.length < SCRIPT.length);
  });

  it('serves nothing else: unknown files, dotfiles and traversal are 404s; the API still needs the token', async () => {
    const app = await api(join(dir, 'ui'));
    for (const url of ['/ui/nope.js', '/ui/.secret', '/ui/../controller.db', '/ui/%2e%2e/controller.db']) {
      const res = await app.inject({ method: 'GET', url });
      // A path that normalises out of /ui is an API path: it needs the token.
      assert.ok([401, 403, 404].includes(res.statusCode), `${url}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /not served|SQLite/);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/controller' })).statusCode, 401);
    assert.equal(
      (await app.inject({ method: 'GET', url: '/uikit' })).statusCode,
      401,
      'only /ui itself is public',
    );
  });

  it('a raw request that climbs out of /ui never reaches the API without the token', async () => {
    const app = await api(join(dir, 'ui'));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    // Sent byte for byte: fetch and inject would resolve the dot segments before sending.
    const raw = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
        );
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    for (const path of [
      '/ui/../controller/network',
      '/ui/%2e%2e/controller/network',
      '/ui//controller/network',
    ]) {
      const answer = await raw(path);
      assert.match(answer, /^HTTP\/1\.1 (400|403|404) /, `${path}: ${answer.split('\r\n')[0]}`);
      assert.doesNotMatch(answer, /\[\]|"data"/, path);
    }
  });

  it('without a build, /ui says how to build it', async () => {
    const app = await api(join(dir, 'missing'));
    const res = await app.inject({ method: 'GET', url: '/ui/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build/);
    assert.equal(res.headers['cache-control'], 'no-cache');
  });

  it('uiDir null serves no dashboard at all', async () => {
    const app = await api(null);
    assert.equal((await app.inject({ method: 'GET', url: '/ui/' })).statusCode, 404);
  });

  it('decides caching by path', () => {
    assert.equal(cacheControlFor('/x/dist/ui/assets/index-AbC123.js'), 'public, max-age=31536000, immutable');
    assert.equal(cacheControlFor('/x/dist/ui/index.html'), 'no-cache');
    assert.equal(cacheControlFor('/x/dist/ui/favicon.svg'), 'no-cache');
  });
});
