import type { FastifyReply } from 'fastify'
import { AppError, ERRORS, type HttpErrorCode } from '../protocol/errors.js'
import { StoreUnavailableError } from '../stores/types.js'

// The code each failed reply carried, for the metrics hook: read back without parsing the body.
const sentCodes = new WeakMap<FastifyReply, HttpErrorCode>()

/** Send the protocol's failure envelope for a code: the one place an HTTP error body is written. */
export function sendError (reply: FastifyReply, code: HttpErrorCode, message: string = ERRORS[code].text): FastifyReply {
  sentCodes.set(reply, code)
  return reply.code(ERRORS[code].status).send({ success: false, error: message, code })
}

/** The code `sendError` sent on this reply, if it did. */
export const sentErrorCode = (reply: FastifyReply): HttpErrorCode | undefined => sentCodes.get(reply)

/** A store failure as the route's answer: DATABASE_ERROR when unreachable, else `otherwise` or itself (500). */
export function storeFailure (err: unknown, otherwise?: HttpErrorCode): never {
  if (err instanceof StoreUnavailableError) throw new AppError('DATABASE_ERROR')
  if (otherwise !== undefined) throw new AppError(otherwise)
  throw err
}
