/**
 * The one error table: every code the service can answer with, its HTTP status
 * (for the routes), its WebSocket close code and message type (for /ws), and
 * the human text sent in `error`. Everything that reports an error reads it here.
 */
export const ERRORS = {
  // POST /api/websocket/ticket and the session routes
  AUTH_MISSING: { status: 401, text: 'Missing or malformed Authorization header (expected "Bearer <token>")' },
  AUTH_INVALID: { status: 401, text: 'Invalid, expired or unsupported authentication token' },
  SERVER_KEY_MISSING: { status: 401, text: 'Missing X-Chat-Server-Key header' },
  SERVER_KEY_INVALID: { status: 401, text: 'Unknown chat server key' },
  RATE_LIMITED: { status: 429, text: 'Too many ticket requests, retry later' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, text: 'Body must be application/json' },
  PAYLOAD_TOO_LARGE: { status: 413, text: 'Request body is too large' },
  VALIDATION_ERROR: { status: 400, text: 'Request body is invalid' },
  USER_MISMATCH: { status: 403, text: 'userId does not match the authenticated user' },
  DATABASE_ERROR: { status: 503, text: 'Ticket store is unavailable' },
  TICKET_GENERATION_ERROR: { status: 500, text: 'Failed to generate ticket' },
  SESSION_NOT_FOUND: { status: 404, text: 'Session not found' },
  NOT_FOUND: { status: 404, text: 'Route not found' },
  BAD_REQUEST: { status: 400, text: 'Bad request' },
  // Refused by the HTTP parser before any route (answered on the raw socket, still in the envelope).
  REQUEST_TIMEOUT: { status: 408, text: 'Request was not received in time' },
  HEADERS_TOO_LARGE: { status: 431, text: 'Request headers are too large' },
  INTERNAL_ERROR: { status: 500, text: 'Internal server error' },
  // Refusals of the WebSocket upgrade itself, before any frame
  ORIGIN_NOT_ALLOWED: { status: 403, text: 'Origin not allowed' },
  CONNECTION_LIMIT: { status: 429, text: 'Too many open connections from this address' },
  UPGRADE_REQUIRED: { status: 426, text: 'Connect to /ws with a WebSocket client' },
  UNAUTHENTICATED_LIMIT: { status: 503, text: 'Too many connections waiting to authenticate, retry shortly' },
  HANDSHAKE_INVALID: { status: 400, text: 'Invalid WebSocket handshake' },
  WS_VERSION_UNSUPPORTED: { status: 426, text: 'Unsupported Sec-WebSocket-Version: this server speaks 13' },
  // Tickets and upgrades refused while this instance drains (SIGTERM): the client retries on another one
  SHUTTING_DOWN: { status: 503, text: 'Server is shutting down, retry on another instance' },
  // Shared by both: a body on HTTP, a frame on /ws
  INVALID_JSON: { status: 400, close: 4012, type: 'error', text: 'Message is not valid JSON' },
  // /ws authentication failures
  AUTH_REQUIRED: { close: 4001, type: 'authentication_error', text: 'Authenticate with ticket_authenticate first' },
  TICKET_MISSING: { close: 4002, type: 'authentication_error', text: 'Ticket is required' },
  TICKET_INVALID: { close: 4003, type: 'authentication_error', text: 'Invalid ticket' },
  TICKET_USED: { close: 4004, type: 'authentication_error', text: 'Ticket has already been used' },
  TICKET_EXPIRED: { close: 4005, type: 'authentication_error', text: 'Ticket has expired' },
  AUTH_TIMEOUT: { close: 4006, type: 'authentication_error', text: 'Authentication timeout' },
  IP_MISMATCH: { close: 4008, type: 'authentication_error', text: 'Ticket was issued to another client address' },
  SESSION_LIMIT: { close: 4014, type: 'authentication_error', text: 'Too many active sessions for this user' },
  AUTH_ERROR: { close: 4500, type: 'authentication_error', text: 'Authentication failed, try again' },
  // /ws errors after (or regardless of) authentication
  SESSION_REVOKED: { close: 4007, type: 'error', text: 'Session was revoked' },
  SESSION_EXPIRED: { close: 4016, type: 'error', text: 'Session expired without a refresh' },
  ALREADY_AUTHENTICATED: { close: 4009, type: 'error', text: 'Connection is already authenticated' },
  MESSAGE_ERROR: { close: 4010, type: 'error', text: 'Failed to process message' },
  UNKNOWN_MESSAGE_TYPE: { close: 4011, type: 'error', text: 'Unknown message type' },
  INVALID_MESSAGE: { close: 4013, type: 'error', text: 'Message does not match its schema' },
  MESSAGE_RATE_LIMITED: { close: 4015, type: 'error', text: 'Too many messages, slow down' },
  // Gateway mode: always ends the connection; an authentication_error when it is why an authentication failed
  UPSTREAM_UNAVAILABLE: { close: 1014, type: 'error', text: 'The chat server is unavailable, retry with a new ticket', fatal: true, failsAuthentication: true },
  SERVER_ERROR: { close: 4500, type: 'error', text: 'Internal server error' }
} as const satisfies Record<string, ErrorEntry>

interface ErrorEntry {
  status?: number
  close?: number
  type?: 'authentication_error' | 'error'
  text: string
  /** Closes the connection whenever it is sent. */
  fatal?: true
  /** Sent as `authentication_error` when it fails an authentication, as `type` otherwise. */
  failsAuthentication?: true
}

export type ErrorCode = keyof typeof ERRORS
export type HttpErrorCode = { [K in ErrorCode]: typeof ERRORS[K] extends { status: number } ? K : never }[ErrorCode]
export type WsErrorCode = { [K in ErrorCode]: typeof ERRORS[K] extends { close: number } ? K : never }[ErrorCode]

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[]
export const WS_ERROR_CODES = ERROR_CODES.filter((c): c is WsErrorCode => 'close' in ERRORS[c])

/** What a failed `session_refresh` answers, as type `error`: the ticket's refusal, and the connection stays open. */
export const REFRESH_ERROR_CODES = [
  'TICKET_MISSING', 'TICKET_INVALID', 'TICKET_USED', 'TICKET_EXPIRED', 'IP_MISMATCH', 'AUTH_ERROR'
] as const satisfies readonly WsErrorCode[]

/** Close codes that are not error codes of the table. */
export const CLOSE_GOING_AWAY = 1001
export const CLOSE_TOO_BIG = 1009

/** An error that carries one of the table's codes; thrown by routes and hooks. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number

  constructor (code: HttpErrorCode, message?: string) {
    const entry = ERRORS[code]
    super(message ?? entry.text)
    this.code = code
    this.statusCode = entry.status
  }
}
