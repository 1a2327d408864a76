import fp from 'fastify-plugin'
import cors from '@fastify/cors'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, ERRORS, type HttpErrorCode } from '../src/protocol/errors.js'
import { SECURITY_HEADERS } from '../src/security-headers.js'

/** Fastify's own errors, and what the protocol calls them. */
const FASTIFY_CODES: Record<string, HttpErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON'
}

function codeOf (error: FastifyError): HttpErrorCode {
  if (error instanceof AppError) return error.code as HttpErrorCode
  if (error.validation !== undefined) return 'VALIDATION_ERROR'
  const known = FASTIFY_CODES[error.code]
  if (known !== undefined) return known
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return 'BAD_REQUEST'
  return 'INTERNAL_ERROR'
}

/** Send the protocol's failure envelope for a code. */
export function sendError (reply: FastifyReply, code: HttpErrorCode, message: string = ERRORS[code].text): FastifyReply {
  return reply.code(ERRORS[code].status).send({ success: false, error: message, code })
}

/** Helmet's headers (computed once), CORS, and the one error handler that turns every failure into the protocol's envelope. */
export default fp<{ notFoundHandler?: boolean }>(async (fastify, opts) => {
  // Synchronous: a hook that returns no promise costs no microtask turn.
  fastify.addHook('onRequest', function securityHeaders (_request, reply, done) {
    reply.headers(SECURITY_HEADERS)
    done()
  })
  await fastify.register(cors, {
    origin: fastify.config.allowedOrigins,
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Chat-Server-Key'],
    exposedHeaders: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
    maxAge: 600
  })

  fastify.setErrorHandler(function errorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const code = codeOf(error)
    const status = ERRORS[code].status
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return sendError(reply, code)
    }
    // 4xx texts are ours or Fastify's (they name the field for validation); never a stack.
    const message = code === 'VALIDATION_ERROR' || code === 'BAD_REQUEST' ? error.message : ERRORS[code].text
    return sendError(reply, code, error instanceof AppError ? error.message : message)
  })

  if (opts.notFoundHandler === false) return
  fastify.setNotFoundHandler(function notFound (request, reply) {
    return sendError(reply, 'NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`)
  })
}, { name: 'security', dependencies: ['config'], fastify: '5.x' })
