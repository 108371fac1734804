// Reads PostgreSQL's SQLSTATE codes (pg's DatabaseError.code) for the store.
import type { ConstraintViolation } from '../kysely-store.ts';

export function classifyPostgresError(error: unknown): ConstraintViolation | undefined {
  switch ((error as { code?: unknown } | null)?.code) {
    case '23505': // unique_violation (primary keys too)
      return 'unique';
    case '23503': // foreign_key_violation
      return 'foreign-key';
    default:
      return undefined;
  }
}

/** Errors that mean the connection or server went away (worth a retry on a fresh connection). */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(08|57P0)/.test(code)) return true; // connection_exception, admin shutdown
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|ECONNREFUSED|ECONNRESET|EPIPE|Client has encountered a connection error/i.test(
    message,
  );
}
