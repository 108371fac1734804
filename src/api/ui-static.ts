// The dashboard (ui/, built by scripts/build.mjs into dist/ui) at `/ui/`. The page itself needs no
// token: it asks for one and sends it as a header on every API call. Hashed assets are cached for
// good; index.html is revalidated on every load so a new build is picked up at once. Without a
// build, `/ui/` says how to make one instead of a bare 404.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { pathOf } from './errors.ts';

/** Where the build puts the dashboard; the same path from src/api and from dist/api. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/** A strict policy: the app loads only its own files and talks only to this origin. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function cacheControlFor(path: string): string {
  // Vite names every file under assets/ by its content hash.
  return /[\\/]assets[\\/][^\\/]+$/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

function notBuiltPage(dir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Routeplane dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>This controller found no dashboard in <code>${dir.replace(/[<>&]/g, '')}</code>.
Build it with <code>npm run build</code> (<code>npm ci</code> does it too) and reload this page.</p>
<p>The API works without it: see <a href="../api/docs">/api/docs</a>.</p>
</body></html>
`;
}

function secure(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
}

function notBuilt(reply: FastifyReply, uiDir: string) {
  secure(reply);
  return reply
    .code(503)
    .header('cache-control', 'no-cache')
    .type('text/html; charset=utf-8')
    .send(notBuiltPage(uiDir));
}

export async function installUi(app: FastifyInstance, uiDir: string = DEFAULT_UI_DIR): Promise<void> {
  const built = existsSync(join(uiDir, 'index.html'));
  // The API ignores trailing slashes, so this route answers `/ui` and `/ui/`, and the wildcard below
  // never sees them. `/ui` is redirected: the page's relative asset paths need the directory form.
  app.get('/ui/', { schema: { hide: true } }, (request, reply) => {
    if (!pathOf(request.url).endsWith('/')) return reply.redirect('/ui/', 301);
    if (!built) return notBuilt(reply, uiDir);
    return reply.sendFile('index.html', uiDir);
  });
  if (!built) {
    app.get('/ui/*', { schema: { hide: true } }, (_request, reply) => notBuilt(reply, uiDir));
    return;
  }
  await app.register(fastifyStatic, {
    root: uiDir,
    prefix: '/ui/',
    // The build writes .br and .gz beside each file; the smallest one the browser accepts is sent.
    preCompressed: true,
    cacheControl: false,
    dotfiles: 'ignore',
    setHeaders: (reply, path) => {
      secure(reply);
      reply.header('cache-control', cacheControlFor(path));
    },
  });
}
