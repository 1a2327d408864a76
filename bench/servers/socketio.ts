import { createServer } from 'node:http'
import { Server } from 'socket.io'
import jwt from 'jsonwebtoken'
import { serveChild } from './child.js'

/**
 * The peer a team would otherwise pick: Socket.IO 4 authenticating with a JWT
 * in its handshake `auth` middleware, as its documentation shows
 * (`io.use` + `socket.handshake.auth.token`, verified with jsonwebtoken).
 * A `heartbeat_ping` event is answered through its acknowledgement with the
 * same pong our service sends. Defaults otherwise (no compression).
 */
const secret = process.env.JWT_SECRET as string
const httpServer = createServer()
const io = new Server(httpServer)

io.use((socket, next) => {
  try {
    socket.data.user = jwt.verify(socket.handshake.auth.token as string, secret)
    next()
  } catch {
    next(new Error('unauthorized'))
  }
})

io.on('connection', (socket) => {
  socket.on('heartbeat_ping', (ping: { timestamp?: unknown, pingTime?: unknown }, ack: (pong: unknown) => void) => {
    ack({ type: 'heartbeat_pong', originalTimestamp: ping.timestamp, pingTime: ping.pingTime, timestamp: new Date().toISOString() })
  })
})

httpServer.listen(0, '127.0.0.1', () => serveChild(httpServer))
