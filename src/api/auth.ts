// Every API call needs the token, as zerotier-one's local API does: `X-ZT1-Auth: <token>`,
// `Authorization: Bearer <token>` or `?auth=<token>`. Compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCodes, RpError } from '../core/errors.ts';
import { errorBody } from './errors.ts';

/** Paths served without a token: the API description and the liveness probe. */
const PUBLIC_PREFIXES = ['/api/docs', '/healthz'];

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers['x-zt1-auth'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^bearer /i.test(authorization))
    return authorization.slice(7).trim();
  const query = request.query as Record<string, unknown> | undefined;
  if (query && typeof query.auth === 'string') return query.auth;
  return undefined;
}

export function installTokenAuth(app: FastifyInstance, token: string): void {
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url;
    if (
      PUBLIC_PREFIXES.some(
        (prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`),
      )
    ) {
      return;
    }
    const given = presentedToken(request);
    // Hash both sides so the comparison takes the same time whatever the lengths.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      const message = given === undefined ? 'missing API token (X-ZT1-Auth header)' : 'invalid API token';
      return reply.code(401).send(errorBody(new RpError(ErrorCodes.UNAUTHORIZED, message)));
    }
  });
}
