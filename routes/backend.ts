import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { AppError, type HttpErrorCode } from '../src/protocol/errors.js'
import {
  AcceptedResponseSchema, BackendHeadersSchema, PresenceQuerySchema, PresenceResponseSchema, PushRequestSchema,
  type PushRequest, RevokeRequestSchema, RevokedResponseSchema, UserParamsSchema
} from '../src/protocol/backend-api.js'
import { SessionListResponseSchema, SessionParamsSchema, errorResponses } from '../src/protocol/http.js'
import { bearerToken, secretMatcher } from '../src/http/credentials.js'
import { storeFailure } from '../src/http/envelope.js'
import { messageBytes } from '../src/sessions/deliver.js'
import operationsRoute from './operations.js'

const KEY_ERRORS = ['AUTH_MISSING', 'AUTH_INVALID'] as const satisfies readonly HttpErrorCode[]
const BODY_ERRORS = ['UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'INVALID_JSON', 'VALIDATION_ERROR'] as const satisfies readonly HttpErrorCode[]
const common = { tags: ['backend'], security: [{ backendApiKey: [] }], headers: BackendHeadersSchema }

/**
 * The backend API (PROTOCOL.md §6): server-to-server routes that list, revoke,
 * reach and count a user's sessions on every instance sharing the store.
 * Registered only when BACKEND_API_KEYS is set; otherwise they are unknown routes (404).
 */
const backendRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  const { config, store } = fastify
  const knownKey = secretMatcher(config.backendApiKeys)
  // Before the body is read; a user JWT or a chat-server key is not a backend key (config refuses overlaps).
  fastify.addHook('onRequest', async function backendKey (request: FastifyRequest) {
    const key = bearerToken(request.headers.authorization)
    if (key === undefined) throw new AppError('AUTH_MISSING', 'Missing or malformed Authorization header (expected "Bearer <backend API key>")')
    if (!knownKey(key)) throw new AppError('AUTH_INVALID', 'Unknown backend API key')
  })
  // The revoke body is optional, even when a client labels an empty body as JSON.
  const json = fastify.getDefaultJsonParser('error', 'error')
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined)
    else json(request, body as string, done)
  })
  // Room for a message of MAX_MESSAGE_BYTES in a formatted body; the message itself is measured below.
  const bodyLimit = 2 * config.maxMessageBytes + 1024

  fastify.get('/api/websocket/users/:userId/sessions', {
    schema: {
      ...common,
      summary: "List a user's live sessions, on every instance",
      params: UserParamsSchema,
      response: { 200: SessionListResponseSchema, ...errorResponses([...KEY_ERRORS, 'VALIDATION_ERROR', 'DATABASE_ERROR']) }
    }
  }, async (request) => {
    const sessions = await store.listSessions(request.params.userId).catch(storeFailure)
    return { success: true as const, sessions }
  })

  fastify.delete('/api/websocket/users/:userId/sessions', {
    // No body at all is the same as `{}`.
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      ...common,
      summary: 'Revoke every session of a user: each socket gets session_revoked and closes 4007',
      params: UserParamsSchema,
      body: RevokeRequestSchema,
      response: { 200: RevokedResponseSchema, ...errorResponses([...KEY_ERRORS, ...BODY_ERRORS, 'DATABASE_ERROR']) }
    }
  }, async (request) => {
    const revoked = await fastify.revokeUser(request.params.userId, { reconnect: request.body.reconnect }).catch(storeFailure)
    return { success: true as const, revoked }
  })

  const pushSchema = {
    ...common,
    body: PushRequestSchema,
    response: { 202: AcceptedResponseSchema, ...errorResponses([...KEY_ERRORS, ...BODY_ERRORS, 'DATABASE_ERROR']) }
  }
  const checkSize = async (request: FastifyRequest): Promise<void> => {
    const size = messageBytes((request.body as PushRequest).message)
    if (size > config.maxMessageBytes) throw new AppError('PAYLOAD_TOO_LARGE', `message is ${size} bytes; MAX_MESSAGE_BYTES is ${config.maxMessageBytes}`)
  }

  fastify.post('/api/websocket/users/:userId/messages', {
    bodyLimit,
    preHandler: checkSize,
    schema: { ...pushSchema, summary: 'Send a message to every live socket of a user, on every instance', params: UserParamsSchema }
  }, async (request, reply) => {
    await fastify.sendToUser(request.params.userId, request.body.message).catch(storeFailure)
    return await reply.code(202).send({ success: true as const })
  })

  fastify.post('/api/websocket/sessions/:sessionId/messages', {
    bodyLimit,
    preHandler: checkSize,
    schema: {
      ...pushSchema,
      summary: "Send a message to one live session's socket, on whichever instance holds it",
      params: SessionParamsSchema,
      response: { ...pushSchema.response, ...errorResponses(['SESSION_NOT_FOUND']) }
    }
  }, async (request, reply) => {
    const { sessionId } = request.params
    if (await store.getSession(sessionId).catch(storeFailure) === undefined) throw new AppError('SESSION_NOT_FOUND')
    await fastify.sendToSession(sessionId, request.body.message).catch(storeFailure)
    return await reply.code(202).send({ success: true as const })
  })

  fastify.get('/api/websocket/presence', {
    // `?userId=a` parses as a string, `?userId=a&userId=b` as an array: one shape for the schema.
    preValidation: async (request) => {
      const query = request.query as { userId?: unknown }
      if (typeof query.userId === 'string') query.userId = [query.userId]
    },
    schema: {
      ...common,
      summary: 'How many live sessions each of 1 to 100 users has',
      querystring: PresenceQuerySchema,
      response: { 200: PresenceResponseSchema, ...errorResponses([...KEY_ERRORS, 'VALIDATION_ERROR', 'DATABASE_ERROR']) }
    }
  }, async (request) => {
    const online = await fastify.presence(request.query.userId).catch(storeFailure)
    return { success: true as const, online }
  })

  // Beyond §6, for the operator console; a child, so the key check and the body parser above apply.
  await fastify.register(operationsRoute)
}

export default backendRoute
