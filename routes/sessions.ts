import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../src/protocol/errors.js'
import {
  AuthHeadersSchema, CREDENTIAL_ERRORS, SessionListResponseSchema, SessionParamsSchema, SuccessResponseSchema, errorResponses
} from '../src/protocol/http.js'
import { RevokedResponseSchema } from '../src/protocol/backend-api.js'
import { storeFailure } from '../src/http/envelope.js'
import { revokeSession } from '../src/sessions/revoke.js'

/** The caller's own sessions: list them, revoke one or all (their sockets close 4007 on whichever instance holds them). */
const sessionsRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  const { store } = fastify
  fastify.addHook('onRequest', fastify.authenticate)
  // These routes take no body; clients that send `Content-Type: application/json` on a DELETE anyway are not refused.
  fastify.removeContentTypeParser('application/json')
  fastify.addContentTypeParser('application/json', (_request, payload, done) => {
    payload.resume()
    done(null, undefined)
  })

  fastify.get('/api/websocket/sessions', {
    schema: {
      summary: "List the caller's live sessions",
      tags: ['sessions'],
      headers: AuthHeadersSchema,
      response: { 200: SessionListResponseSchema, ...errorResponses([...CREDENTIAL_ERRORS, 'DATABASE_ERROR']) }
    }
  }, async (request) => {
    const sessions = await store.listSessions(request.user.userId).catch(storeFailure)
    return { success: true as const, sessions }
  })

  fastify.delete('/api/websocket/sessions/:sessionId', {
    schema: {
      summary: "Revoke one of the caller's sessions",
      tags: ['sessions'],
      headers: AuthHeadersSchema,
      params: SessionParamsSchema,
      response: { 200: SuccessResponseSchema, ...errorResponses([...CREDENTIAL_ERRORS, 'SESSION_NOT_FOUND', 'DATABASE_ERROR']) }
    }
  }, async (request) => {
    const { sessionId } = request.params
    const session = await store.getSession(sessionId).catch(storeFailure)
    // Another user's session is reported exactly like a missing one: no probing of ids.
    if (session?.userId !== request.user.userId) throw new AppError('SESSION_NOT_FOUND')
    await revokeSession(store, sessionId, { reconnect: false }).catch(storeFailure)
    return { success: true as const }
  })

  fastify.delete('/api/websocket/sessions', {
    schema: {
      summary: 'Revoke every session of the caller, on every instance (log out everywhere)',
      tags: ['sessions'],
      headers: AuthHeadersSchema,
      response: { 200: RevokedResponseSchema, ...errorResponses([...CREDENTIAL_ERRORS, 'DATABASE_ERROR']) }
    }
  }, async (request) => {
    const revoked = await fastify.revokeUser(request.user.userId, { reconnect: false }).catch(storeFailure)
    return { success: true as const, revoked }
  })
}

export default sessionsRoute
