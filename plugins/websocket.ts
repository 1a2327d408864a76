import fp from 'fastify-plugin'
import type { FastifyInstance, RouteOptions } from 'fastify'
import websocket, { type WebsocketPluginOptions } from '@fastify/websocket'
import { CLOSE_GOING_AWAY } from '../src/protocol/errors.js'
import { serialize } from '../src/protocol/serializers.js'
import { watchPongs, SpreadSweep } from '../src/ws/ping-sweep.js'
import { ServerSocket } from '../src/ws/server-socket.js'
import { onSocketError } from '../src/ws/socket-error.js'
import { refuseHandshake } from '../src/ws/handshake.js'

/**
 * @fastify/websocket upgrades an upgrade request to any GET route and then
 * closes it: a socket held past the Origin check and the caps. Its onRoute
 * hook wraps every route; ours, around it, gives a route without a
 * WebSocket handler its own handler back, so an upgrade request there is
 * answered as the plain request it is (its socket destroyed after the answer).
 */
async function keepUpgradesOffPlainRoutes (fastify: FastifyInstance, register: () => PromiseLike<unknown>): Promise<void> {
  const plain = new WeakMap<RouteOptions, RouteOptions['handler']>()
  fastify.addHook('onRoute', route => {
    if (route.wsHandler === undefined && route.websocket !== true) plain.set(route, route.handler)
  })
  await register()
  fastify.addHook('onRoute', route => {
    const handler = plain.get(route)
    if (handler !== undefined) route.handler = handler
  })
}

/** ws's class as the plugin's types see it (with the module's statics, which ServerSocket inherits). */
type WsClass = NonNullable<NonNullable<WebsocketPluginOptions['options']>['WebSocket']>

/**
 * Registers @fastify/websocket (frame size capped, no compression), one
 * heartbeat sweep for every socket instead of a timer each, and a preClose
 * that tells every client the server is going away before closing it 1001.
 */
export default fp(async (fastify) => {
  const { config } = fastify
  await keepUpgradesOffPlainRoutes(fastify, async () => await fastify.register(websocket, {
    // UTF-8 is checked per frame by the Connection, which answers INVALID_JSON instead of failing the connection 1007.
    options: { maxPayload: config.maxMessageBytes, perMessageDeflate: false, clientTracking: true, skipUTF8Validation: true, WebSocket: ServerSocket as unknown as WsClass },
    errorHandler (error, _socket, request) { onSocketError(error, request.log) },
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
  }))

  fastify.websocketServer.on('connection', watchPongs)
  fastify.websocketServer.on('wsClientError', refuseHandshake)
  // About one tick a second, each pinging its share of the sockets.
  const ticks = Math.max(1, Math.round(config.heartbeatIntervalMs / 1000))
  const sweep = new SpreadSweep(fastify.websocketServer.clients, ticks)
  const timer = setInterval(() => { sweep.tick() }, config.heartbeatIntervalMs / ticks).unref()
  fastify.addHook('onClose', async () => { clearInterval(timer) })
}, { name: 'websocket', dependencies: ['config'], fastify: '5.x' })
