/**
 * An Express + `ws` chat server behind ws-ticket-auth in gateway mode. It
 * authenticates nobody itself: it trusts the identity the gateway signs into
 * the `X-Ws-Auth-Identity` header of each upstream connection, and chats.
 *
 *   npm run build && UPSTREAM_SECRET=<the gateway's secret> CHAT_PORT=4000 node dist/examples/upstream-express/server.js
 *
 * Then start the gateway with UPSTREAM_URL=ws://127.0.0.1:4000 and the same UPSTREAM_SECRET (README:
 * "Put it in front of your chat server").
 */
import { createServer } from 'node:http'
import express from 'express'
import { WebSocketServer } from 'ws'
import { createVerifier } from 'fast-jwt'

const { UPSTREAM_SECRET = '', CHAT_PORT = '4000', CHAT_HOST = '127.0.0.1' } = process.env
if (UPSTREAM_SECRET.length < 32) {
  console.error('Failed to start: UPSTREAM_SECRET must be the gateway\'s secret (at least 32 characters)')
  process.exit(1)
}
// HS256 only, `exp` checked: the header is signed per connection and lives 60 s.
const verifyIdentity = createVerifier({ key: UPSTREAM_SECRET, algorithms: ['HS256'] })

const app = express()
app.get('/health', (_request, response) => { response.json({ status: 'ok' }) })

const server = createServer(app)
const sockets = new WebSocketServer({ noServer: true })

server.on('upgrade', (request, socket, head) => {
  let user: { sub: string, sid: string, entityId?: string, entityType?: string, chatServerKey: string }
  try {
    user = verifyIdentity(String(request.headers['x-ws-auth-identity']))
  } catch {
    // Not from the gateway: nobody else may open a socket here.
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
    return
  }
  sockets.handleUpgrade(request, socket, head, (ws) => {
    ws.send(JSON.stringify({ type: 'welcome', userId: user.sub, sessionId: user.sid, address: request.headers['x-forwarded-for'] }))
    // The gateway relays only JSON objects with a string `type`, and answers heartbeats itself.
    ws.on('message', (data) => {
      const message = JSON.parse(String(data))
      if (message.type !== 'chat_message') return
      ws.send(JSON.stringify({ type: 'chat_response', id: message.id, content: `${user.sub}: ${String(message.content)}` }))
    })
  })
})

server.once('error', (err) => {
  console.error(`Failed to start: ${err.message}`)
  process.exit(1)
})
server.listen(Number(CHAT_PORT), CHAT_HOST, () => {
  console.log(`Server listening at http://${CHAT_HOST}:${CHAT_PORT} (WebSocket on ws://${CHAT_HOST}:${CHAT_PORT}/)`)
})
