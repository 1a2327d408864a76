import { WebSocket } from 'ws'

/**
 * The class of the server's WebSockets (ws's `WebSocket` option): a slot for
 * the object that handles the socket's events, so its listeners can be shared
 * functions instead of closures per socket (docs/benchmarks.md, idle memory).
 */
export class ServerSocket extends WebSocket {
  owner: unknown = undefined
}
