import type { TSchema } from '@sinclair/typebox'
import { CLOSE_GOING_AWAY, CLOSE_TOO_BIG, ERRORS, WS_ERROR_CODES } from './errors.js'
import { ClientMessageSchema, ServerMessageSchemas, messageType } from './messages.js'

/** What the server answers to each client message (errors aside, which any message may get). */
const REPLIES: Record<string, string[]> = {
  ticket_authenticate: ['authentication_success', 'authentication_error'],
  // Deprecated; accepted only with LEGACY_TOKEN_AUTH=true.
  authenticate: ['authentication_success', 'authentication_error'],
  chat_message: ['chat_response'],
  configure_tools: ['tools_configured'],
  heartbeat_ping: ['heartbeat_pong'],
  session_refresh: ['session_refreshed']
}

const ref = (path: string): { $ref: string } => ({ $ref: path })
const plain = (schema: TSchema): unknown => JSON.parse(JSON.stringify(schema))

function closeCodeTable (): string {
  const rows = WS_ERROR_CODES.map(code => {
    const { close, type, text } = ERRORS[code]
    return `| \`${code}\` | ${close} | \`${type}\` | ${text} |`
  })
  return [
    '| code | close | message type | meaning |', '|---|---|---|---|', ...rows,
    `| (shutdown) | ${CLOSE_GOING_AWAY} | \`server_shutdown\` | the server is going away: reconnect with a fresh ticket |`,
    `| (frame too large) | ${CLOSE_TOO_BIG} | none | a frame over the message size limit |`
  ].join('\n')
}

/** Generated from the schemas and error table the socket code uses, so the AsyncAPI document cannot drift. */
export function asyncApiDocument (opts: { version: string, host: string }) {
  const clientSchemas = ClientMessageSchema.anyOf as TSchema[]
  const messages: Record<string, unknown> = {}
  for (const schema of [...clientSchemas, ...ServerMessageSchemas]) {
    const type = messageType(schema)
    messages[type] = { name: type, title: type, summary: schema.description, contentType: 'application/json', payload: plain(schema) }
  }
  const channelMessages = Object.fromEntries(Object.keys(messages).map(type => [type, ref(`#/components/messages/${type}`)]))
  const channel = ref('#/channels/ws')
  const inChannel = (type: string) => ref(`#/channels/ws/messages/${type}`)
  const errors = ['error', 'authentication_error']

  const operations: Record<string, unknown> = {}
  for (const schema of clientSchemas) {
    const type = messageType(schema)
    const replies = [...new Set([...REPLIES[type], ...errors])]
    operations[`receive_${type}`] = {
      action: 'receive',
      channel,
      summary: `Client sends \`${type}\``,
      messages: [inChannel(type)],
      reply: { channel, messages: replies.map(inChannel) }
    }
  }
  for (const schema of ServerMessageSchemas) {
    const type = messageType(schema)
    operations[`send_${type}`] = { action: 'send', channel, summary: `Server sends \`${type}\``, messages: [inChannel(type)] }
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'WebSocket ticket authentication: /ws',
      version: opts.version,
      description: 'Connect to `/ws` (no credentials in the URL), then redeem a single-use ticket from ' +
        '`POST /api/websocket/ticket` with `ticket_authenticate`. All frames are JSON text; every server ' +
        'message has `type` and `timestamp`, and a reply echoes the `id` of the client message it answers. ' +
        'A session ends at the `expiresAt` of `authentication_success` (`session_expiring` before, `session_expired` ' +
        'and close 4016 at it) unless `session_refresh` with a fresh ticket moves it.\n\n' +
        `Errors and close codes:\n\n${closeCodeTable()}`
    },
    defaultContentType: 'application/json',
    servers: { service: { host: opts.host, protocol: 'ws', description: 'HTTP and WebSocket share one port' } },
    channels: {
      ws: {
        address: '/ws',
        title: 'Ticket-authenticated chat socket',
        description: 'An upgrade with a foreign `Origin` is refused 403 before any frame; too many sockets from one address 429.',
        messages: channelMessages
      }
    },
    operations,
    components: { messages }
  }
}
