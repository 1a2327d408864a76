import { createHash } from 'node:crypto'
import { compileChecker, firstError, isoNow } from '../protocol/codec.js'
import { TicketAuthenticateSchema } from '../protocol/messages.js'
import { TICKET_PATTERN } from '../protocol/http.js'
import type { ConsumeResult } from '../stores/types.js'
import type { Connection } from './connection.js'

const checkAuthenticate = compileChecker(TicketAuthenticateSchema)
const TICKET_RE = new RegExp(TICKET_PATTERN)

/** The store key of a ticket: its SHA-256, so a dump of the store holds nothing redeemable. */
export function ticketDigest (ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex')
}

const REFUSED = { used: 'TICKET_USED', expired: 'TICKET_EXPIRED', unknown: 'TICKET_INVALID' } as const

/**
 * Redeem a ticket for a connection: format check (no store trip for garbage),
 * one atomic consume, the IP binding, then the session record under the
 * per-user limit. A store failure before the consume leaves the ticket valid.
 */
export async function authenticate (conn: Connection, message: Record<string, unknown>, id: string | undefined): Promise<void> {
  const { store, config } = conn.deps
  if (message.ticket === undefined || message.ticket === null) return conn.fail('TICKET_MISSING', id)
  if (typeof message.ticket !== 'string' || !TICKET_RE.test(message.ticket)) return conn.fail('TICKET_INVALID', id)
  if (!checkAuthenticate.Check(message)) return conn.fail('INVALID_MESSAGE', id, false, firstError(checkAuthenticate, message))

  let result: ConsumeResult
  try {
    result = await store.consumeTicket(ticketDigest(message.ticket))
  } catch (err) {
    conn.log.warn({ err }, 'ticket store failed during authentication')
    return conn.fail('AUTH_ERROR', id)
  }
  if (result.status !== 'ok') return conn.fail(REFUSED[result.status], id)
  const ticket = result.ticket
  if (config.ticketBindIp && ticket.clientIp !== conn.clientIp) return conn.fail('IP_MISMATCH', id)

  const session = {
    sessionId: conn.sessionId,
    userId: ticket.userId,
    entityId: ticket.entityId,
    entityType: ticket.entityType,
    chatServerKey: ticket.chatServerKey,
    authenticatedAt: isoNow()
  }
  let created: boolean
  try {
    created = await store.createSession(session, config.sessionTtlSeconds, config.maxSessionsPerUser)
  } catch (err) {
    conn.log.warn({ err }, 'session store failed during authentication')
    return conn.fail('AUTH_ERROR', id)
  }
  if (!created) return conn.fail('SESSION_LIMIT', id)
  if (!conn.open) {
    // The peer left while we were redeeming: leave no session behind.
    await store.removeSession(session.sessionId).catch(() => undefined)
    return
  }
  conn.authenticated(session, id)
}
