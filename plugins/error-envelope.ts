import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, ERRORS, type HttpErrorCode } from '../src/protocol/errors.js'
import { sendError } from '../src/http/envelope.js'

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

/** The one error handler (and the 404 handler) that turn every failure of the scope into the protocol's envelope. */
export default fp<{ notFoundHandler?: boolean }>(async (fastify, opts) => {
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
}, { name: 'error-envelope', fastify: '5.x' })
