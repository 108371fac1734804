// The one error catalog of the core and service layers. Codes are stable: clients and tests match on
// them, and the API maps each code to an HTTP status in exactly one place (src/api/errors.ts).

export const ErrorCodes = {
  /** A request body or field is malformed (wrong type, bad CIDR, bad IP, reversed pool …). */
  INVALID_INPUT: 'RP_INVALID_INPUT',
  /** The request body is not JSON at all. */
  INVALID_JSON: 'RP_INVALID_JSON',
  /** A network, member or other object does not exist. */
  NOT_FOUND: 'RP_NOT_FOUND',
  /** The object exists already or the write conflicts with stored state. */
  CONFLICT: 'RP_CONFLICT',
  /** A member would receive more routes than ZeroTier accepts (ZT_MAX_NETWORK_ROUTES). */
  ROUTE_LIMIT: 'RP_ROUTE_LIMIT',
  /** Missing or wrong API token. */
  UNAUTHORIZED: 'RP_UNAUTHORIZED',
  /** The token is valid but may not do this. */
  FORBIDDEN: 'RP_FORBIDDEN',
  /** No free network ID or IP could be found. */
  EXHAUSTED: 'RP_EXHAUSTED',
  /** Something that should not happen; a bug. */
  INTERNAL: 'RP_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class RpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The offending field path, e.g. `routes[2].target`, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RpError';
  }
}

/** A field of the request has the wrong type or an invalid value. The message names the field. */
export function invalidField(field: string, problem: string): RpError {
  return new RpError(ErrorCodes.INVALID_INPUT, `${field}: ${problem}`, field);
}

export function notFound(what: string): RpError {
  return new RpError(ErrorCodes.NOT_FOUND, `${what} not found`);
}

export function isRpError(error: unknown): error is RpError {
  return error instanceof RpError;
}
