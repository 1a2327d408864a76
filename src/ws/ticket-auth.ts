import { compileChecker, firstError } from '../protocol/checkers.js'
import { TicketAuthenticateSchema } from '../protocol/messages.js'
import type { ConsumeResult } from '../stores/types.js'
import { isTicket, ticketDigest } from '../ticket.js'
import { refuse, type Authenticator } from './identity.js'

const checkAuthenticate = compileChecker(TicketAuthenticateSchema)
const REFUSED = { used: 'TICKET_USED', expired: 'TICKET_EXPIRED', unknown: 'TICKET_INVALID' } as const

/** The shape first (no store trip for garbage), then one atomic consume; a store failure before it leaves the ticket valid. */
export const redeemTicket: Authenticator = async (message, ctx) => {
  if (message.ticket === undefined || message.ticket === null) return refuse('TICKET_MISSING')
  if (!isTicket(message.ticket)) return refuse('TICKET_INVALID')
  if (!checkAuthenticate.Check(message)) return refuse('INVALID_MESSAGE', firstError(checkAuthenticate, message))
  let result: ConsumeResult
  try {
    result = await ctx.store.consumeTicket(ticketDigest(message.ticket))
  } catch (err) {
    ctx.log.warn({ err }, 'ticket store failed during authentication')
    return refuse('AUTH_ERROR')
  }
  if (result.status !== 'ok') return refuse(REFUSED[result.status])
  const { ticket } = result
  if (ctx.config.ticketBindIp && ticket.clientIp !== ctx.clientIp) return refuse('IP_MISMATCH')
  return { userId: ticket.userId, entityId: ticket.entityId, entityType: ticket.entityType, chatServerKey: ticket.chatServerKey }
}
