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
    errorHandler (error, _socket, request) {
      // ws closes the socket itself after an error (an oversized frame closes 1009): terminating here would drop that frame.
      request.log.debug({ err: error }, 'websocket error')
    },
    preClose (done) {
      const shutdown = serialize({ type: 'server_shutdown', timestamp: new Date().toISOString() })
      for (const client of this.websocketServer.clients) {
        if (client.readyState === client.OPEN) client.send(shutdown)
        client.close(CLOSE_GOING_AWAY, 'Server shutting down')
      }
      this.websocketServer.close(() => done())
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
