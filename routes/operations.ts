import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../src/protocol/errors.js'
import { RevokeRequestSchema } from '../src/protocol/backend-api.js'
import { StatsResponseSchema, UserSessionParamsSchema } from '../src/protocol/operations.js'
import { SuccessResponseSchema, errorResponses } from '../src/protocol/http.js'
import { storeFailure } from '../src/http/envelope.js'
import { revokeSession } from '../src/sessions/revoke.js'

const common = { tags: ['backend'], security: [{ backendApiKey: [] }] }

/**
 * Two routes beyond PROTOCOL §6 for the operator console: this instance's
 * counters, and revoking one session of a user. Registered by the backend
 * route plugin, so its key check and its optional-body parser apply.
 */
const operationsRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/api/websocket/stats', {
    // Polled every few seconds by each open console: not worth a log line per request.
    logLevel: 'warn',
    schema: {
      ...common,
      summary: "This instance's open sockets and last minute's authentications by result (service addition)",
      response: { 200: StatsResponseSchema, ...errorResponses(['AUTH_MISSING', 'AUTH_INVALID']) }
    }
  }, async () => ({
    success: true as const,
    instance: { connections: fastify.websocketServer.clients.size, sessions: fastify.liveSockets.localSessionIds().length },
    authentications: fastify.authWindow.snapshot(),
    timestamp: new Date().toISOString()
  }))

  fastify.delete('/api/websocket/users/:userId/sessions/:sessionId', {
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      ...common,
      summary: 'Revoke one session of a user: its socket gets session_revoked and closes 4007 (service addition)',
      params: UserSessionParamsSchema,
      body: RevokeRequestSchema,
      response: {
        200: SuccessResponseSchema,
        ...errorResponses(['AUTH_MISSING', 'AUTH_INVALID', 'UNSUPPORTED_MEDIA_TYPE', 'INVALID_JSON', 'VALIDATION_ERROR', 'SESSION_NOT_FOUND', 'DATABASE_ERROR'])
      }
    }
  }, async (request) => {
    const { userId, sessionId } = request.params
    const session = await fastify.store.getSession(sessionId).catch(storeFailure)
    // Another user's session answers like a missing one: the path names whose session it must be.
    if (session?.userId !== userId) throw new AppError('SESSION_NOT_FOUND')
    await revokeSession(fastify.store, sessionId, { reconnect: request.body.reconnect }).catch(storeFailure)
    return { success: true as const }
  })
}

export default operationsRoute
