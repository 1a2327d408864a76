import fp from 'fastify-plugin'
import websocket from '@fastify/websocket'
import type { WebSocket } from 'ws'
import { CLOSE_GOING_AWAY } from '../src/protocol/errors.js'
import { serialize } from '../src/protocol/codec.js'

/**
 * Registers @fastify/websocket (frame size capped, no compression), one
 * heartbeat sweep for every socket instead of a timer each, and a preClose
 * that tells every client the server is going away before closing it 1001.
 */
export default fp(async (fastify) => {
  const { config } = fastify
  await fastify.register(websocket, {
    options: { maxPayload: config.maxMessageBytes, perMessageDeflate: false, clientTracking: true },
    errorHandler (error, socket, request) {
      // Protocol errors (an oversized frame: 1009) are already closing with their code; keep that frame.
      request.log.debug({ err: error }, 'websocket error')
      if (socket.readyState === socket.OPEN) socket.terminate()
    },
    preClose (done) {
      const shutdown = serialize({ type: 'server_shutdown', timestamp: new Date().toISOString() })
      const { clients } = this.websocketServer
      for (const client of clients) {
        if (client.readyState === client.OPEN) client.send(shutdown)
        client.close(CLOSE_GOING_AWAY, 'Server shutting down')
      }
      // A peer that never answers the closing handshake must not keep the process past SHUTDOWN_TIMEOUT_MS.
      const stragglers = setTimeout(() => { for (const client of clients) client.terminate() }, config.shutdownTimeoutMs / 2)
      this.websocketServer.close(() => {
        clearTimeout(stragglers)
        done()
      })
    }
  })

  // A socket that has not answered the previous ping by the next sweep is dead.
  const missedPong = new WeakSet<WebSocket>()
  fastify.websocketServer.on('connection', (socket: WebSocket) => {
    socket.on('pong', () => missedPong.delete(socket))
  })
  const sweep = setInterval(() => {
    for (const socket of fastify.websocketServer.clients) {
      if (missedPong.has(socket)) {
        socket.terminate()
        continue
      }
      missedPong.add(socket)
      socket.ping()
    }
  }, config.heartbeatIntervalMs).unref()
  fastify.addHook('onClose', async () => { clearInterval(sweep) })
}, { name: 'websocket', dependencies: ['config'], fastify: '5.x' })
