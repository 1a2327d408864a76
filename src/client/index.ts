/**
 * Browser-safe client for the ticket-authenticated WebSocket service: no
 * Node-only imports; uses the global `fetch` and `WebSocket` (or the ones
 * passed in, e.g. `ws` in Node 20).
 */
import { Client } from './client.js'
import type { ClientOptions, OutgoingClientMessage } from './types.js'
import type { ServerMessage } from '../protocol/messages.js'

export { Client } from './client.js'
export { ClientError, fetchTicket } from './ticket.js'
export { FATAL_CODES, backoffDelay, DEFAULT_BACKOFF } from './backoff.js'
export type * from './types.js'
export type { ClientMessage, ServerMessage, ServerMessageType } from '../protocol/messages.js'

/** A client for the service; call `connect()` to fetch a ticket, connect and authenticate. */
export function createClient<S extends { type: string } = ServerMessage, C extends { type: string, id?: string } = OutgoingClientMessage> (
  options: ClientOptions
): Client<S, C> {
  return new Client<S, C>(options)
}
