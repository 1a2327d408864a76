import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../src/http/envelope.js'
import { errorResponses } from '../src/protocol/http.js'
import { onSocketError } from '../src/ws/socket-error.js'
import { createAdmission } from '../src/ws/admission.js'
import { createPipeline, type PipelineOptions } from '../src/ws/pipeline.js'

export interface WsRouteOptions {
  /** Application message handlers: replace the default echo, add message types. */
  messages?: PipelineOptions['messages']
}

/** Let go of what the upgrade leaves on the socket for its life: @fastify/websocket's HTTP objects (~4 KB per idle socket, docs/benchmarks.md), a grown listener list. */
function releaseUpgrade (socket: WebSocket, onError: (error: Error) => void): void {
  // The stream under the WebSocket: the TCP socket, or the in-memory one of `app.injectWS`.
  const stream = (socket as unknown as { _socket: Socket & { _httpMessage?: ServerResponse | null } })._socket
  stream._httpMessage?.detachSocket(stream)
  socket.removeAllListeners('error')
  socket.on('error', onError)
  // The TCP socket's 'close' list grew to 19 slots when its third listener came (HTTP's, gone since
  // the upgrade, admission's, ws's): built again at its size, in the same order. Never down to none:
  // deleting the event's key would turn the socket's whole listener table into a dictionary.
  const [, ...later] = stream.rawListeners('close') as Array<() => void>
  for (const listener of later) stream.removeListener('close', listener)
  for (const listener of later) stream.on('close', listener)
}

const WS_ROUTE_SCHEMA = {
  summary: 'Open the WebSocket (authenticate with a ticket in the first frame)',
  description: 'Upgrade to a WebSocket (`Connection: Upgrade`, `Upgrade: websocket`). The URL carries no credentials: ' +
    'once open the server sends `connection_established`, and the client sends `{"type":"ticket_authenticate","ticket":…}` ' +
    'with a ticket from `POST /api/websocket/ticket`. The messages, error codes and close codes are in the AsyncAPI document ' +
    '([/docs/asyncapi.json](/docs/asyncapi.json)). Refusals come before any frame, as HTTP answers in the error envelope; ' +
    'a plain GET without an upgrade answers 426.',
  tags: ['websocket'],
  response: {
    101: { description: 'Switching Protocols: the WebSocket is open (no body)', type: 'null' },
    ...errorResponses(['HANDSHAKE_INVALID', 'ORIGIN_NOT_ALLOWED', 'UPGRADE_REQUIRED', 'WS_VERSION_UNSUPPORTED', 'CONNECTION_LIMIT', 'UNAUTHENTICATED_LIMIT', 'SHUTTING_DOWN'])
  }
}

/**
 * GET /ws: the upgrade is refused with plain HTTP (403 foreign Origin,
 * 429 too many sockets from one address, 503 too many sockets waiting to
 * authenticate) before any frame; an accepted socket enters the pipeline.
 */
const wsRoute: FastifyPluginAsync<WsRouteOptions> = async (fastify, opts) => {
  const { config, store, liveSockets, metrics, credentials } = fastify
  const allowedOrigins = new Set(config.allowedOrigins)
  const admission = createAdmission(config, () => liveSockets.count(), () => liveSockets.events.emit('released'))
  const connect = createPipeline({ config, store, liveSockets, metrics, credentials, log: fastify.log, messages: opts.messages })
  function onError (error: Error): void { onSocketError(error, fastify.log) }

  async function admit (request: FastifyRequest, reply: FastifyReply) {
    const origin = request.headers.origin
    // Browsers always send Origin: a foreign one is cross-site WebSocket hijacking. Servers and CLIs send none.
    if (origin !== undefined && !allowedOrigins.has(origin)) return sendError(reply, 'ORIGIN_NOT_ALLOWED')
    // Only upgrades hold a place (a plain GET is answered 426); `app.injectWS` requests have no TCP socket to count.
    const refused = admission.admit(request.ip, request.ws ? request.raw.socket ?? undefined : undefined)
    if (refused !== undefined) return sendError(reply, refused)
  }

  fastify.route({
    method: 'GET',
    url: '/ws',
    config: { refuseWhileDraining: true },
    schema: WS_ROUTE_SCHEMA,
    onRequest: admit,
    handler: async (_request, reply) => sendError(reply, 'UPGRADE_REQUIRED'),
    wsHandler: (socket, request) => {
      // Synchronously: the ticket is often the very first frame.
      const conn = connect(socket, request.ip)
      request.log.debug({ sessionId: conn.sessionId }, 'websocket connected')
      releaseUpgrade(socket, onError)
    }
  })
}

export default wsRoute
