// Every API call needs the token, as zerotier-one's local API does: `X-ZT1-Auth: <token>`,
// `Authorization: Bearer <token>` or `?auth=<token>`. Compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCodes, RpError } from '../core/errors.ts';
import type { ApiTokens, Principal } from '../service/api-tokens.ts';
import { errorBody } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request (set by the auth hook; absent on public paths). */
    principal?: Principal;
  }
}

/** What a member-scoped token may call: its own member's router endpoints. */
const MEMBER_SCOPED_PATH =
  /^\/api\/v1\/networks\/([0-9a-fA-F]{16})\/members\/([0-9a-fA-F]{10})\/(advertised|routes|heartbeat|variables)\/?(?:\?|$)/;

/** Null when `principal` may call `method path`, else why not. */
export function scopeViolation(principal: Principal, path: string): string | null {
  if (principal.kind === 'admin') return null;
  const match = MEMBER_SCOPED_PATH.exec(path);
  if (
    match &&
    match[1]!.toLowerCase() === principal.networkId &&
    match[2]!.toLowerCase() === principal.memberAddress
  ) {
    return null;
  }
  return (
    `token "${principal.name}" is scoped to member ${principal.memberAddress} of network ${principal.networkId}: ` +
    `it may only call /api/v1/networks/${principal.networkId}/members/${principal.memberAddress}/{advertised,routes,heartbeat,variables}`
  );
}

/**
 * Paths served without a token: the API description, the liveness probe and the dashboard's static
 * files (the page asks for the token and sends it with every API call it makes).
 */
const PUBLIC_PREFIXES = ['/api/docs', '/healthz', '/ui'];

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

export function installTokenAuth(app: FastifyInstance, token: string, tokens?: ApiTokens): void {
  const expected = digest(token);
  app.decorateRequest('principal', undefined);
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
    if (given !== undefined && timingSafeEqual(digest(given), expected)) {
      request.principal = { kind: 'admin', name: 'admin' };
      return;
    }
    const principal = given === undefined ? undefined : await tokens?.authenticate(given);
    if (!principal) {
      const message = given === undefined ? 'missing API token (X-ZT1-Auth header)' : 'invalid API token';
      return reply.code(401).send(errorBody(new RpError(ErrorCodes.UNAUTHORIZED, message)));
    }
    const violation = scopeViolation(principal, path);
    if (violation !== null) {
      return reply.code(403).send(errorBody(new RpError(ErrorCodes.FORBIDDEN, violation)));
    }
    request.principal = principal;
  });
}
