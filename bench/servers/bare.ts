import { createServer } from 'node:http'
import Fastify from 'fastify'
import websocket from '@fastify/websocket'
import { WebSocketServer } from 'ws'
import { serveChild } from './child.js'
import { BARE_ESTABLISHED, BARE_SUCCESS, BARE_TICKET_BODY } from '../lib/wire.js'

/**
 * The baselines: the same wire work as the service with no auth, no store and
 * no validation. `http`: a constant-answer Fastify route; `flow`: that route
 * plus Fastify+@fastify/websocket answering the two handshake frames with
 * constants; `ws`: a bare `ws` server echoing every frame.
 */
const mode = process.argv[2]

if (mode === 'ws') {
  const server = createServer()
  const wss = new WebSocketServer({ server, perMessageDeflate: false })
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => { socket.send(data, { binary: isBinary }) })
  })
  server.listen(0, '127.0.0.1', () => serveChild(server))
} else {
  const fastify = Fastify({ logger: false })
  fastify.post('/api/websocket/ticket', async (_request, reply) => reply.type('application/json').send(BARE_TICKET_BODY))
  if (mode === 'flow') {
    await fastify.register(websocket, { options: { perMessageDeflate: false } })
    fastify.get('/ws', { websocket: true }, (socket) => {
      socket.send(BARE_ESTABLISHED)
      socket.on('message', () => { socket.send(BARE_SUCCESS) })
    })
  }
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  serveChild(fastify.server)
}
