import { Type } from '@sinclair/typebox'

/**
 * Routes the service adds beyond PROTOCOL.md §6, under the same backend key,
 * for the operator console (docs/backend-api.md, "Service additions").
 */
const Count = (description: string) => Type.Integer({ minimum: 0, description })

export const StatsResponseSchema = Type.Object({
  success: Type.Literal(true),
  instance: Type.Object({
    connections: Count('Open WebSocket connections on this instance, authenticated or not'),
    sessions: Count('Authenticated sockets on this instance')
  }, { description: 'This instance only: behind a load balancer each instance answers for itself' }),
  authentications: Type.Object({
    windowSeconds: Count('The window counted: the last minute'),
    success: Count('Successful authentications in the window'),
    failure: Count('Refused authentications in the window'),
    byCode: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'Attempts per answer code; OK for a success' })
  }, { description: 'Authentication attempts on this instance in the last minute, by result' }),
  timestamp: Type.String({ format: 'date-time' })
})

export const UserSessionParamsSchema = Type.Object({
  userId: Type.String({ minLength: 1, maxLength: 255 }),
  sessionId: Type.String({ maxLength: 64 })
})
