import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { ClientInfoSchema, SessionRecordSchema, SESSION_ID_PATTERN } from './http.js'
import { ERRORS, WS_ERROR_CODES, type WsErrorCode } from './errors.js'

/** A client may tag any message; the direct reply or error to it echoes the tag. */
const Id = Type.Optional(Type.String({ maxLength: 64 }))
const Timestamp = Type.String({ format: 'date-time' })

// Client → server ------------------------------------------------------------

export const TicketAuthenticateSchema = Type.Object({
  type: Type.Literal('ticket_authenticate'),
  id: Id,
  ticket: Type.Optional(Type.String()),
  clientInfo: Type.Optional(ClientInfoSchema)
}, { description: 'First message on a connection: redeem a ticket' })

export const LegacyAuthenticateSchema = Type.Object({
  type: Type.Literal('authenticate'),
  id: Id,
  token: Type.String({ minLength: 1, maxLength: 8192, description: 'The user JWT' }),
  chatServerKey: Type.Optional(Type.String({ maxLength: 255, description: 'When sent, must be in CHAT_SERVER_KEYS' })),
  entityId: Type.Optional(Type.String({ maxLength: 255 })),
  entityType: Type.Optional(Type.String({ maxLength: 50 })),
  clientInfo: Type.Optional(ClientInfoSchema)
}, { description: 'Deprecated, accepted only with LEGACY_TOKEN_AUTH=true: authenticate with the JWT itself' })

export const ChatMessageSchema = Type.Object({
  type: Type.Literal('chat_message'),
  id: Id,
  content: Type.String({ minLength: 1, maxLength: 16384 })
})

export const ConfigureToolsSchema = Type.Object({
  type: Type.Literal('configure_tools'),
  id: Id,
  toolSchemas: Type.Array(Type.Object({}), { maxItems: 128 })
})

const PingTimestamp = Type.Union([Type.String(), Type.Number()])
export const HeartbeatPingSchema = Type.Object({
  type: Type.Literal('heartbeat_ping'),
  id: Id,
  timestamp: Type.Optional(PingTimestamp),
  pingTime: Type.Optional(Type.Number())
})

export const ClientMessageSchema = Type.Union([
  TicketAuthenticateSchema, LegacyAuthenticateSchema, ChatMessageSchema, ConfigureToolsSchema, HeartbeatPingSchema
], { $id: 'ClientMessage' })
export type ClientMessage = Static<typeof ClientMessageSchema>
export type TicketAuthenticate = Static<typeof TicketAuthenticateSchema>
export type LegacyAuthenticate = Static<typeof LegacyAuthenticateSchema>
export type ChatMessage = Static<typeof ChatMessageSchema>
export type ConfigureTools = Static<typeof ConfigureToolsSchema>
export type HeartbeatPing = Static<typeof HeartbeatPingSchema>

// Server → client ------------------------------------------------------------

export const ConnectionEstablishedSchema = Type.Object({
  type: Type.Literal('connection_established'),
  sessionId: Type.String({ pattern: SESSION_ID_PATTERN }),
  timestamp: Timestamp
})

export const AuthenticationSuccessSchema = Type.Object({
  type: Type.Literal('authentication_success'),
  id: Id,
  sessionId: Type.String({ pattern: SESSION_ID_PATTERN }),
  user: Type.Pick(SessionRecordSchema, ['userId', 'entityId', 'entityType']),
  timestamp: Timestamp
})

const codesOfType = (type: 'authentication_error' | 'error'): WsErrorCode[] =>
  WS_ERROR_CODES.filter(c => ERRORS[c].type === type || (type === 'authentication_error' && 'failsAuthentication' in ERRORS[c]))
const errorMessage = <T extends 'authentication_error' | 'error'>(type: T) => Type.Object({
  type: Type.Literal(type),
  id: Id,
  error: Type.String(),
  code: Type.Union(codesOfType(type).map(c => Type.Literal(c))),
  timestamp: Timestamp
})
export const AuthenticationErrorSchema = errorMessage('authentication_error')
export const ErrorMessageSchema = errorMessage('error')

export const ChatResponseSchema = Type.Object({
  type: Type.Literal('chat_response'),
  id: Id,
  content: Type.String(),
  timestamp: Timestamp
})

export const ToolsConfiguredSchema = Type.Object({
  type: Type.Literal('tools_configured'),
  id: Id,
  toolCount: Type.Integer({ minimum: 0 }),
  timestamp: Timestamp
})

export const HeartbeatPongSchema = Type.Object({
  type: Type.Literal('heartbeat_pong'),
  id: Id,
  originalTimestamp: Type.Optional(PingTimestamp),
  pingTime: Type.Optional(Type.Number()),
  timestamp: Timestamp
})

export const SessionRevokedSchema = Type.Object({ type: Type.Literal('session_revoked'), timestamp: Timestamp })
export const ServerShutdownSchema = Type.Object({ type: Type.Literal('server_shutdown'), timestamp: Timestamp })

export const ServerMessageSchemas = [
  ConnectionEstablishedSchema, AuthenticationSuccessSchema, AuthenticationErrorSchema, ErrorMessageSchema,
  ChatResponseSchema, ToolsConfiguredSchema, HeartbeatPongSchema, SessionRevokedSchema, ServerShutdownSchema
] as const
export const ServerMessageSchema = Type.Union([...ServerMessageSchemas], { $id: 'ServerMessage' })
export type ServerMessage = Static<typeof ServerMessageSchema>
export type ServerMessageType = ServerMessage['type']

/** The `type` literal of a message schema. */
export function messageType (schema: TSchema): string {
  return schema.properties.type.const
}
