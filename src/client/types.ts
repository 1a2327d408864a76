import type { ClientMessage, ServerMessage, TicketAuthenticate } from '../protocol/messages.js'
import type { TicketRequest } from '../protocol/http.js'

/** The part of the browser WebSocket API the client uses; `ws` in Node provides it too. */
export interface WebSocketLike {
  readonly readyState: number
  send: (data: string) => void
  close: (code?: number, reason?: string) => void
  addEventListener: (type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void) => void
}
export type WebSocketConstructor = new (url: string) => WebSocketLike

/** Who the ticket is for: a user id, or the ticket request's fields. */
export type TicketUser = string | Omit<TicketRequest, 'clientInfo'>

export interface BackoffOptions {
  /** Delay before the first retry, in ms (default 500). */
  initialMs: number
  /** Longest delay, in ms (default 30 000). */
  maxMs: number
  /** Growth per failed attempt (default 2). */
  factor: number
  /** Share of the delay taken off at random, 0..1 (default 0.5), so clients do not retry in step. */
  jitter: number
}

export interface ClientOptions {
  /** `POST /api/websocket/ticket` of the service, e.g. `https://chat.example.com/api/websocket/ticket`. */
  ticketUrl: string
  /** The `/ws` endpoint, e.g. `wss://chat.example.com/ws`. */
  wsUrl: string
  /** The user's JWT; called before every ticket request, so it may refresh. */
  getToken: () => string | Promise<string>
  /** `X-Chat-Server-Key` sent with the ticket request. */
  serverKey: string
  user: TicketUser
  /** WebSocket constructor: the browser's by default; pass `ws`'s in Node. */
  WebSocket?: WebSocketConstructor
  /** fetch implementation (default: the global one). */
  fetch?: typeof fetch
  /** Interval of `heartbeat_ping` messages in ms (default 25 000; 0 turns them off). A missed pong reconnects. */
  heartbeatIntervalMs?: number
  backoff?: Partial<BackoffOptions>
  /** Refresh the session in-band on `session_expiring` with a fresh ticket (default true). */
  autoRefresh?: boolean
}

/** Where the client is: a fresh ticket is fetched for every connection. */
export type ClientState =
  | 'idle' | 'fetching_ticket' | 'connecting' | 'authenticating' | 'open' | 'reconnecting' | 'closed' | 'failed'

/** Why a connection attempt ended: a protocol code (AUTH_INVALID, TICKET_USED, …) or a client one. */
export interface ClientFailure {
  code: string
  message: string
  /** HTTP status of a refused ticket request. */
  status?: number
  /** WebSocket close code. */
  closeCode?: number
  /** Server-requested wait (Retry-After), in ms. */
  retryAfterMs?: number
}

export interface StateChange {
  state: ClientState
  /** What ended the previous connection or attempt, when something did. */
  failure?: ClientFailure
  /** Consecutive failed attempts before this retry (reconnecting). */
  attempt?: number
  /** Wait before the next attempt, in ms (reconnecting). */
  delayMs?: number
}

/** Messages a client sends after authentication (the client sends `ticket_authenticate` itself). */
export type OutgoingClientMessage = Exclude<ClientMessage, TicketAuthenticate>
export type { ServerMessage }
