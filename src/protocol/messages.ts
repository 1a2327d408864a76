import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { ClientInfoSchema, SessionRecordSchema, SESSION_ID_PATTERN } from './http.js'
import { ERRORS, REFRESH_ERROR_CODES, WS_ERROR_CODES, type WsErrorCode } from './errors.js'

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

export const SessionRefreshSchema = Type.Object({
  type: Type.Literal('session_refresh'),
  id: Id,
  ticket: Type.Optional(Type.String())
}, { description: 'Extend an authenticated session in-band with a fresh ticket of the same user' })

export const ClientMessageSchema = Type.Union([
  TicketAuthenticateSchema, LegacyAuthenticateSchema, ChatMessageSchema, ConfigureToolsSchema, HeartbeatPingSchema, SessionRefreshSchema
], { $id: 'ClientMessage' })
export type ClientMessage = Static<typeof ClientMessageSchema>
export type TicketAuthenticate = Static<typeof TicketAuthenticateSchema>
export type LegacyAuthenticate = Static<typeof LegacyAuthenticateSchema>
export type ChatMessage = Static<typeof ChatMessageSchema>
export type ConfigureTools = Static<typeof ConfigureToolsSchema>
export type HeartbeatPing = Static<typeof HeartbeatPingSchema>
export type SessionRefresh = Static<typeof SessionRefreshSchema>

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
  expiresAt: Type.String({ format: 'date-time', description: 'When the session ends unless it is refreshed' }),
  timestamp: Timestamp
})

// A failed session_refresh answers the ticket's code as an `error`.
const codesOfType = (type: 'authentication_error' | 'error'): WsErrorCode[] =>
  WS_ERROR_CODES.filter(c => ERRORS[c].type === type ||
    (type === 'error' && (REFRESH_ERROR_CODES as readonly string[]).includes(c)) ||
    (type === 'authentication_error' && 'failsAuthentication' in ERRORS[c]))
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

export const SessionRevokedSchema = Type.Object({
  type: Type.Literal('session_revoked'),
  reconnect: Type.Boolean({ description: 'false: do not reconnect; true: the revoker asks the client to reconnect' }),
  timestamp: Timestamp
}, { description: 'Sent before the close 4007' })

export const SessionExpiringSchema = Type.Object({
  type: Type.Literal('session_expiring'),
  expiresAt: Timestamp,
  timestamp: Timestamp
}, { description: 'SESSION_EXPIRY_NOTICE_SECONDS before expiresAt: refresh with session_refresh' })

export const SessionExpiredSchema = Type.Object({
  type: Type.Literal('session_expired'),
  timestamp: Timestamp
}, { description: 'Sent at expiresAt, before the close 4016' })

export const SessionRefreshedSchema = Type.Object({
  type: Type.Literal('session_refreshed'),
  id: Id,
  sessionId: Type.String({ pattern: SESSION_ID_PATTERN }),
  expiresAt: Timestamp,
  timestamp: Timestamp
}, { description: 'The answer to session_refresh: the session now ends at expiresAt' })
export const ServerShutdownSchema = Type.Object({ type: Type.Literal('server_shutdown'), timestamp: Timestamp })

export const ServerMessageSchemas = [
  ConnectionEstablishedSchema, AuthenticationSuccessSchema, AuthenticationErrorSchema, ErrorMessageSchema,
  ChatResponseSchema, ToolsConfiguredSchema, HeartbeatPongSchema, SessionRevokedSchema, SessionExpiringSchema,
  SessionExpiredSchema, SessionRefreshedSchema, ServerShutdownSchema
] as const
export const ServerMessageSchema = Type.Union([...ServerMessageSchemas], { $id: 'ServerMessage' })
export type ServerMessage = Static<typeof ServerMessageSchema>
export type ServerMessageType = ServerMessage['type']

/** The `type` literal of a message schema. */
export function messageType (schema: TSchema): string {
  return schema.properties.type.const
}
