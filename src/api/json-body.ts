// zerotier-one parses every request body as JSON whatever its Content-Type (curl -d sends
// application/x-www-form-urlencoded), and tools rely on that. An empty body means `{}`.
import type { FastifyInstance } from 'fastify';
import { ErrorCodes, RpError } from '../core/errors.ts';

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      done(new RpError(ErrorCodes.INVALID_JSON, `body: invalid JSON (${detail})`, 'body'), undefined);
    }
  });
}
