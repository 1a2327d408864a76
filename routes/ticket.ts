import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppError } from '../src/protocol/errors.js'
import {
  AuthHeadersSchema, CREDENTIAL_ERRORS, TicketRequestSchema, TicketResponseSchema, errorResponses
} from '../src/protocol/http.js'
import { storeFailure } from '../src/http/envelope.js'
import { mintTicket, ticketDigest } from '../src/ticket.js'
import { isoAt } from '../src/protocol/clock.js'

/** POST /api/websocket/ticket: trade a user JWT and a chat-server key for a single-use ticket. */
const ticketRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  const { config, store } = fastify
  await fastify.register(rateLimit, {
    global: false,
    // A store outage must answer DATABASE_ERROR from the store below, not a 500 from the limiter.
    skipOnError: true,
    errorResponseBuilder: (_request, context) => new AppError('RATE_LIMITED', `Too many ticket requests, retry in ${context.after}`),
    ...store.rateLimit()
  })

  fastify.post('/api/websocket/ticket', {
    // Credentials first (before the body is read), then the limit keyed on the authenticated user.
    onRequest: fastify.authenticate,
    config: {
      refuseWhileDraining: true,
      metricsLabel: 'ticket',
      rateLimit: {
        max: config.ticketRateLimit,
        timeWindow: config.rateWindowMs,
        keyGenerator: (request) => `ticket:${request.user.userId}`
      }
    },
    bodyLimit: config.bodyLimitBytes,
    // No body and no Content-Type: nothing to parse, so Fastify would let it through to the schema.
    preValidation: (request, _reply, done) => { done(request.body === undefined ? new AppError('UNSUPPORTED_MEDIA_TYPE') : undefined) },
    schema: {
      summary: 'Issue a single-use WebSocket ticket',
      tags: ['tickets'],
      headers: AuthHeadersSchema,
      body: TicketRequestSchema,
      response: {
        200: TicketResponseSchema,
        ...errorResponses([
          ...CREDENTIAL_ERRORS, 'RATE_LIMITED', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE', 'INVALID_JSON',
          'VALIDATION_ERROR', 'USER_MISMATCH', 'DATABASE_ERROR', 'SHUTTING_DOWN', 'TICKET_GENERATION_ERROR'
        ])
      }
    }
  }, async (request) => {
    const { body, user } = request
    if (body.userId !== user.userId) throw new AppError('USER_MISMATCH')
    const ticket = mintTicket()
    const createdAt = Date.now()
    const expiresAt = createdAt + config.ticketTtlSeconds * 1000
    try {
      await store.issueTicket(ticketDigest(ticket), {
        userId: user.userId,
        entityId: body.entityId,
        entityType: body.entityType,
        providerResId: body.providerResId,
        chatServerKey: user.chatServerKey,
        clientIp: request.ip,
        userAgent: body.clientInfo?.userAgent ?? request.headers['user-agent'],
        createdAt,
        expiresAt,
        tokenExpiresAt: user.tokenExpiresAt
      })
    } catch (err) {
      request.log.error({ err }, 'could not store ticket')
      storeFailure(err, 'TICKET_GENERATION_ERROR')
    }
    return { success: true as const, ticket, expiresAt: isoAt(expiresAt) }
  })
}

export default ticketRoute
