import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from '../plugins/security.js'
import { Connection } from '../src/ws/connection.js'
import { createMessageRegistry, type MessageDefinition } from '../src/ws/handlers.js'

export interface WsRouteOptions {
  /** Application message handlers: replace the default echo, add message types. */
  messages?: readonly MessageDefinition<any>[]
}

/**
 * GET /ws: the upgrade is refused with plain HTTP (403 foreign Origin,
 * 429 too many sockets from one address) before any frame; an accepted
 * socket gets a Connection that speaks the protocol.
 */
const wsRoute: FastifyPluginAsync<WsRouteOptions> = async (fastify, opts) => {
  const { config, store, sessions } = fastify
  const messages = createMessageRegistry(opts.messages)
  const allowedOrigins = new Set(config.allowedOrigins)
  const openPerIp = new Map<string, number>()

  async function admit (request: FastifyRequest, reply: FastifyReply) {
    const origin = request.headers.origin
    // Browsers always send Origin: a foreign one is cross-site WebSocket hijacking. Servers and CLIs send none.
    if (origin !== undefined && !allowedOrigins.has(origin)) return sendError(reply, 'ORIGIN_NOT_ALLOWED')
    if ((openPerIp.get(request.ip) ?? 0) >= config.maxConnectionsPerIp) return sendError(reply, 'CONNECTION_LIMIT')
  }

  fastify.route({
    method: 'GET',
    url: '/ws',
    onRequest: admit,
    handler: async (_request, reply) => sendError(reply, 'UPGRADE_REQUIRED'),
    wsHandler: (socket, request) => {
      const ip = request.ip
      openPerIp.set(ip, (openPerIp.get(ip) ?? 0) + 1)
      socket.on('close', () => {
        const left = (openPerIp.get(ip) as number) - 1
        if (left === 0) openPerIp.delete(ip)
        else openPerIp.set(ip, left)
      })
      // Attached synchronously inside the Connection: the ticket is often the very first frame.
      const conn = new Connection(socket, ip, { config, store, sessions, messages, log: request.log })
      request.log.debug({ sessionId: conn.sessionId }, 'websocket connected')
    }
  })
}

export default wsRoute
