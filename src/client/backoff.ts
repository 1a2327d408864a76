import { ERRORS, WS_ERROR_CODES, type ErrorCode } from '../protocol/errors.js'
import type { BackoffOptions, ClientFailure } from './types.js'

/**
 * Codes a retry cannot fix: the credentials, the request or the session itself
 * are refused. Everything else (network, store outages, used or expired
 * tickets, limits) is retried with a fresh ticket.
 */
export const FATAL_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'AUTH_MISSING', 'AUTH_INVALID', 'SERVER_KEY_MISSING', 'SERVER_KEY_INVALID', 'USER_MISMATCH',
  'VALIDATION_ERROR', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'INVALID_JSON', 'BAD_REQUEST', 'NOT_FOUND',
  'SESSION_REVOKED', 'IP_MISMATCH'
])

/** Close codes of the table, for naming a close that came without an error message (4500: SERVER_ERROR). */
const CODE_OF_CLOSE = new Map<number, string>(
  WS_ERROR_CODES.map(code => [ERRORS[code].close, code] as const)
)

/** What a close means when nothing more specific was received. */
export function closeFailure (closeCode: number, reason: string): ClientFailure {
  const code = CODE_OF_CLOSE.get(closeCode) ?? (closeCode === 1001 ? 'SERVER_SHUTDOWN' : 'CONNECTION_LOST')
  return { code, message: reason === '' ? `connection closed (${closeCode})` : reason, closeCode }
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 }

/** Exponential backoff with jitter: attempt 0 waits about `initialMs`, never above `maxMs`, never below Retry-After. */
export function backoffDelay (attempt: number, opts: BackoffOptions, retryAfterMs = 0): number {
  const base = Math.min(opts.maxMs, opts.initialMs * opts.factor ** attempt)
  return Math.max(retryAfterMs, Math.round(base * (1 - opts.jitter * Math.random())))
}
