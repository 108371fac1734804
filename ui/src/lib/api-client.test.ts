import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, apiBaseOf, createApiClient } from './api-client.ts';

type Call = { url: string; init: RequestInit };

function fakeFetch(status: number, body: string, calls: Call[]) {
  return async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  };
}

describe('api client', () => {
  it('finds the API root from the page, also under a proxy prefix', () => {
    assert.equal(apiBaseOf('http://h:9993/ui/'), 'http://h:9993/');
    assert.equal(apiBaseOf('http://h:9993/ui/index.html#/networks'), 'http://h:9993/');
    assert.equal(apiBaseOf('https://h/zt/ui/'), 'https://h/zt/');
  });

  it('sends the token as a header, never in the URL, and JSON bodies', async () => {
    const calls: Call[] = [];
    const api = createApiClient({
      base: 'http://h/',
      token: 's3cret',
      fetch: fakeFetch(200, '{"ok":1}', calls),
    });
    assert.deepEqual(await api.send('POST', '/controller/network', { name: 'x' }), { ok: 1 });
    const [call] = calls;
    assert.equal(call!.url, 'http://h/controller/network');
    assert.ok(!call!.url.includes('s3cret'));
    const headers = new Headers(call!.init.headers);
    assert.equal(headers.get('x-zt1-auth'), 's3cret');
    assert.equal(headers.get('content-type'), 'application/json');
    assert.equal(call!.init.body, '{"name":"x"}');
  });

  it('turns error bodies into ApiError with the message, code and field', async () => {
    const calls: Call[] = [];
    const api = createApiClient({
      base: 'http://h/',
      token: 't',
      fetch: fakeFetch(
        400,
        '{"error":"routes[0].target: bad","code":"INVALID_INPUT","field":"routes"}',
        calls,
      ),
    });
    await assert.rejects(api.get('/x'), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.message, 'routes[0].target: bad');
      assert.equal(error.status, 400);
      assert.equal(error.code, 'INVALID_INPUT');
      assert.equal(error.field, 'routes');
      return true;
    });
  });

  it('reports a 401 so the app can sign out', async () => {
    let told = '';
    const api = createApiClient({
      base: 'http://h/',
      token: 't',
      fetch: fakeFetch(401, '{"error":"invalid API token"}', []),
      onUnauthorized: (error) => (told = error.message),
    });
    await assert.rejects(api.get('/x'), /invalid API token/);
    assert.equal(told, 'invalid API token');
  });

  it('a non-JSON error page still gives the status', async () => {
    const api = createApiClient({
      base: 'http://h/',
      token: 't',
      fetch: async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    });
    await assert.rejects(api.get('/x'), /502 Bad Gateway/);
  });
});
