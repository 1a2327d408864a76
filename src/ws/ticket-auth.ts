import type { TSchema } from '@sinclair/typebox'
import { compileChecker, firstError } from '../protocol/checkers.js'
import { SessionRefreshSchema, TicketAuthenticateSchema } from '../protocol/messages.js'
import type { ConsumeResult } from '../stores/types.js'
import { isTicket, ticketDigest } from '../ticket.js'
import { refuse, type AuthContext, type Authenticator, type Identity, type Refusal } from './identity.js'

const REFUSED = { used: 'TICKET_USED', expired: 'TICKET_EXPIRED', unknown: 'TICKET_INVALID' } as const

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

async function consume (ticketString: string, ctx: AuthContext): Promise<Identity | Refusal> {
  let result: ConsumeResult
  try {
    result = await ctx.store.consumeTicket(ticketDigest(ticketString))
  } catch (err) {
    ctx.log.warn({ err }, 'ticket store failed during authentication')
    return refuse('AUTH_ERROR')
  }
  if (result.status !== 'ok') return refuse(REFUSED[result.status])
  const { ticket } = result
  if (ctx.config.ticketBindIp && ticket.clientIp !== ctx.clientIp) return refuse('IP_MISMATCH')
  const { userId, entityId, entityType, chatServerKey, tokenExpiresAt } = ticket
  return { userId, entityId, entityType, chatServerKey, tokenExpiresAt }
}

/** `ticket_authenticate` frames. */
export const redeemTicket = ticketRedeemer(TicketAuthenticateSchema)
/** `session_refresh` frames: the same redemption; the Session checks the ticket is its user's. */
export const redeemRefreshTicket = ticketRedeemer(SessionRefreshSchema)
