import type { TSchema } from '@sinclair/typebox'
import { randomHex } from '../crypto.js'
import { compileChecker, firstError } from '../protocol/checkers.js'
import { SessionRefreshSchema, TicketAuthenticateSchema } from '../protocol/messages.js'
import { ConsumeUnconfirmedError, type ConsumeResult } from '../stores/types.js'
import { isTicket, ticketDigest } from '../ticket.js'
import { releaseTicketEventually } from './cleanup.js'
import { refuse, type AuthContext, type Authenticator, type Identity, type Refusal } from './identity.js'

const REFUSED = { used: 'TICKET_USED', expired: 'TICKET_EXPIRED', unknown: 'TICKET_INVALID', ip_mismatch: 'IP_MISMATCH' } as const

/**
 * The one redemption path, for every frame that carries a ticket (`schema`):
 * the shape first (no store trip for garbage), then one atomic consume; a
 * store failure before it leaves the ticket valid.
 */
function ticketRedeemer (schema: TSchema): Authenticator {
  const check = compileChecker(schema)
  return async (message, ctx) => {
    if (message.ticket === undefined || message.ticket === null) return refuse('TICKET_MISSING')
    if (!isTicket(message.ticket)) return refuse('TICKET_INVALID')
    if (!check.Check(message)) return refuse('INVALID_MESSAGE', firstError(check, message))
    return await consume(message.ticket, ctx)
  }
}

/**
 * The binding is checked inside the consume, so IP_MISMATCH spends nothing. A
 * consume that failed may still have spent the ticket (its reply lost): it is
 * given back in the background by its id, which only this attempt knows, so
 * no session can have come of it.
 */
async function consume (ticket: string, ctx: AuthContext): Promise<Identity | Refusal> {
  const digest = ticketDigest(ticket)
  const consumeId = randomHex(16)
  let result: ConsumeResult
  try {
    const clientIp = ctx.config.ticketBindIp ? ctx.clientIp : undefined
    result = await ctx.store.consumeTicket(digest, { consumeId, clientIp, session: ctx.opening?.draft })
  } catch (err) {
    ctx.log.warn({ err, consumeId }, 'ticket store failed during authentication')
    // Spent for sure but not durable (§8): giving it back could let a failover replay it.
    if (!(err instanceof ConsumeUnconfirmedError)) void releaseTicketEventually(ctx.store, digest, consumeId, ctx.log)
    ctx.opening?.lost()
    return refuse('AUTH_ERROR')
  }
  if (result.status !== 'ok') return refuse(REFUSED[result.status])
  const { userId, entityId, entityType, chatServerKey, tokenExpiresAt } = result.ticket
  return { userId, entityId, entityType, chatServerKey, tokenExpiresAt }
}

/** `ticket_authenticate` frames. */
export const redeemTicket = ticketRedeemer(TicketAuthenticateSchema)
/** `session_refresh` frames: the same redemption; the Session checks the ticket is its user's. */
export const redeemRefreshTicket = ticketRedeemer(SessionRefreshSchema)
