import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { ERRORS, type HttpErrorCode } from './errors.js'

/** `ws_ticket_` followed by 32 CSPRNG bytes in lowercase hex. */
export const TICKET_PREFIX = 'ws_ticket_'
export const TICKET_PATTERN = '^ws_ticket_[0-9a-f]{64}$'
export const SESSION_ID_PATTERN = '^session_[0-9a-f]{32}$'

export const ClientInfoSchema = Type.Object({
  userAgent: Type.Optional(Type.String({ maxLength: 1024 })),
  timestamp: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 }))
})

export const TicketRequestSchema = Type.Object({
  userId: Type.String({ minLength: 1, maxLength: 255 }),
  entityId: Type.Optional(Type.String({ maxLength: 255 })),
  entityType: Type.Optional(Type.String({ maxLength: 50, examples: ['BRAND'] })),
  providerResId: Type.Optional(Type.String({ maxLength: 255 })),
  clientInfo: Type.Optional(ClientInfoSchema)
}, { $id: 'TicketRequest' })
export type TicketRequest = Static<typeof TicketRequestSchema>

export const TicketResponseSchema = Type.Object({
  success: Type.Literal(true),
  ticket: Type.String({ pattern: TICKET_PATTERN }),
  expiresAt: Type.String({ format: 'date-time' })
})
export type TicketResponse = Static<typeof TicketResponseSchema>

export const AuthHeadersSchema = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <user JWT>' })),
  'x-chat-server-key': Type.Optional(Type.String({ description: 'A key of the CHAT_SERVER_KEYS allow-list' }))
})

export const SessionRecordSchema = Type.Object({
  sessionId: Type.String({ pattern: SESSION_ID_PATTERN }),
  userId: Type.String(),
  entityId: Type.Optional(Type.String()),
  entityType: Type.Optional(Type.String()),
  chatServerKey: Type.String(),
  authenticatedAt: Type.String({ format: 'date-time' })
})
export type SessionRecord = Static<typeof SessionRecordSchema>

export const SessionListResponseSchema = Type.Object({
  success: Type.Literal(true),
  sessions: Type.Array(SessionRecordSchema)
})

export const SessionParamsSchema = Type.Object({
  sessionId: Type.String({ maxLength: 64 })
})

export const SuccessResponseSchema = Type.Object({ success: Type.Literal(true) })

export const HealthResponseSchema = Type.Object({
  status: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy')]),
  timestamp: Type.String({ format: 'date-time' }),
  checks: Type.Object({
    store: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    /** A published event came back through this instance's subscription within a second (§4). */
    events: Type.Union([Type.Literal('up'), Type.Literal('down')])
  })
})

/** The failure envelope, narrowed to the codes one status can carry. */
export function ErrorResponseSchema (codes: readonly HttpErrorCode[]): TSchema {
  return Type.Object({
    success: Type.Literal(false),
    error: Type.String(),
    // An enum, not a union of literals: the serializer must never refuse an error body, and /docs still lists the codes.
    code: Type.Unsafe<HttpErrorCode>({ type: 'string', enum: [...codes] })
  }, { description: codes.map(c => `\`${c}\`: ${ERRORS[c].text}`).join('; ') })
}
export interface ErrorResponse { success: false, error: string, code: HttpErrorCode }

/** Response schemas for a route's failures, grouped by HTTP status, for validation-free serialisation and /docs. */
export function errorResponses (codes: readonly HttpErrorCode[]): Record<number, TSchema> {
  const byStatus = new Map<number, HttpErrorCode[]>()
  for (const code of codes) {
    const status = ERRORS[code].status
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries([...byStatus].map(([status, list]) => [status, ErrorResponseSchema(list)]))
}

/** Failures every authenticated route can answer with, in the order they are checked. */
export const CREDENTIAL_ERRORS = ['AUTH_MISSING', 'AUTH_INVALID', 'SERVER_KEY_MISSING', 'SERVER_KEY_INVALID'] as const
