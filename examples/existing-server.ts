/**
 * An existing Fastify chat server that adds ticket authentication by
 * registering the plugin, with its own `chat_message` handler.
 *
 *   npm run build && node dist/examples/existing-server.js      # listens on 127.0.0.1:3001
 *
 * In your own app, import from 'ws-ticket-auth' instead of '../src/index.js'.
 */
import Fastify from 'fastify'
import closeWithGrace from 'close-with-grace'
import { Type } from '@sinclair/typebox'
import wsTicketAuth, { defineMessage } from '../src/index.js'

// The application's chat message: the protocol's fields plus an optional recipient.
const ChatMessageSchema = Type.Object({
  type: Type.Literal('chat_message'),
  id: Type.Optional(Type.String({ maxLength: 64 })),
  content: Type.String({ minLength: 1, maxLength: 2000 }),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 255 }))
})

const { PORT = '3001', HOST = '127.0.0.1', JWT_SECRET = 'example-secret-change-me', LOG_LEVEL = 'info' } = process.env
const server = Fastify({ logger: { level: LOG_LEVEL } })

// What the server already had keeps working next to the plugin.
server.get('/api/rooms', async () => ({ rooms: ['general'] }))

await server.register(wsTicketAuth, {
  config: {
    jwtSecret: JWT_SECRET,
    chatServerKeys: ['my-chat-server'],
    port: Number(PORT),
    maxSessionsPerUser: 5
  },
  messages: [
    defineMessage(ChatMessageSchema, async (message, { session, reply }) => {
      // A direct message reaches every socket of the recipient, on every instance sharing the store.
      if (message.to !== undefined) {
        await server.sendToUser(message.to, { type: 'direct_message', from: session.userId, content: message.content })
      }
      reply({ type: 'chat_response', content: `${session.userId}: ${message.content}` })
    })
  ]
})

try {
  await server.listen({ port: Number(PORT), host: HOST })
} catch (err) {
  // Say why (a port in use, a bad HOST) and stop, instead of an exit code alone.
  process.stderr.write(`Failed to start: ${String(err)}\n`)
  process.exit(1)
}
// The plugin's preClose tells every socket `server_shutdown` and closes it 1001: clients reconnect elsewhere.
// One line says why it closes: the signal, or the uncaught error (logged with its stack).
closeWithGrace({ logger: server.log }, async ({ signal, err }) => {
  server.log.warn({ signal, err }, 'closing')
  await server.close()
})
