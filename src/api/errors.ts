// The one place where error codes become HTTP statuses. Every error body is `{"error": "..."}` with
// the stable code (and the offending field, when there is one) beside it.
import type { FastifyError, FastifyInstance } from 'fastify';
import { ErrorCodes, RpError, type ErrorCode } from '../core/errors.ts';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCodes.INVALID_INPUT]: 400,
  [ErrorCodes.INVALID_JSON]: 400,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.CONFLICT]: 409,
  [ErrorCodes.ROUTE_LIMIT]: 409,
  [ErrorCodes.UNAUTHORIZED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.EXHAUSTED]: 503,
  [ErrorCodes.INTERNAL]: 500,
};

export interface ErrorBody {
  error: string;
  code: ErrorCode;
  field?: string;
}

export function httpStatusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

export function errorBody(error: RpError): ErrorBody {
  return error.field === undefined
    ? { error: error.message, code: error.code }
    : { error: error.message, code: error.code, field: error.field };
}

/** Turns framework errors (body too large, bad content) into catalog errors. */
function fromFramework(error: FastifyError): RpError {
  const status = error.statusCode ?? 500;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new RpError(ErrorCodes.INVALID_INPUT, 'body: request body is too large', 'body');
  }
  if (status >= 400 && status < 500) return new RpError(ErrorCodes.INVALID_INPUT, error.message);
  return new RpError(ErrorCodes.INTERNAL, 'internal error');
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | RpError, request, reply) => {
    const rpError = error instanceof RpError ? error : fromFramework(error);
    const status = httpStatusOf(rpError.code);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send(errorBody(rpError));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          new RpError(ErrorCodes.NOT_FOUND, `no such endpoint: ${request.method} ${pathOf(request.url)}`),
        ),
      ),
  );
}

/** The URL without its query string, so a `?auth=` token never lands in a message or a log. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
