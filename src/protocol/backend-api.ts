import { Type, type Static } from '@sinclair/typebox'

/** PROTOCOL.md §6: the backend API's requests and answers, for the routes, /docs and library callers. */
export const MAX_PRESENCE_USERS = 100

const UserId = Type.String({ minLength: 1, maxLength: 255 })

export const BackendHeadersSchema = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <a key of BACKEND_API_KEYS>' }))
})

export const UserParamsSchema = Type.Object({ userId: UserId })

export const RevokeRequestSchema = Type.Object({
  reconnect: Type.Optional(Type.Boolean({
    default: false, description: 'Sent in session_revoked: true lets the client reconnect (e.g. to pick up new permissions)'
  }))
}, { description: 'Optional: no body revokes with reconnect false' })
export type RevokeRequest = Static<typeof RevokeRequestSchema>

export const RevokedResponseSchema = Type.Object({
  success: Type.Literal(true),
  revoked: Type.Integer({ minimum: 0, description: 'Sessions revoked, on every instance' })
})

export const PushRequestSchema = Type.Object({
  message: Type.Object({ type: Type.String({ minLength: 1 }) }, {
    additionalProperties: true,
    description: 'Sent as one frame, unchanged but for `timestamp`, added when absent; at most MAX_MESSAGE_BYTES as JSON'
  })
})
export type PushRequest = Static<typeof PushRequestSchema>

export const AcceptedResponseSchema = Type.Object({ success: Type.Literal(true) }, {
  description: 'Published to every instance; delivered at most once to each live socket'
})

export const PresenceQuerySchema = Type.Object({
  userId: Type.Array(UserId, { minItems: 1, maxItems: MAX_PRESENCE_USERS, description: 'Repeat for each user: ?userId=a&userId=b' })
})

export const PresenceResponseSchema = Type.Object({
  success: Type.Literal(true),
  online: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'Live sessions per user id asked for' })
})
