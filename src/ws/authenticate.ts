import { createHash } from 'node:crypto'
import { compileChecker } from '../protocol/codec.js'
import { TicketAuthenticateSchema } from '../protocol/messages.js'
import { TICKET_PATTERN } from '../protocol/http.js'
import type { WsErrorCode } from '../protocol/errors.js'
import type { AuthMethod } from '../metrics.js'
import type { ConsumeResult, SessionRecord } from '../stores/types.js'
import type { Connection } from './connection.js'

const checkAuthenticate = compileChecker(TicketAuthenticateSchema)
const TICKET_RE = new RegExp(TICKET_PATTERN)

/** The store key of a ticket: its SHA-256, so a dump of the store holds nothing redeemable. */
export function ticketDigest (ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex')
}

/** Who a connection proved to be: from a redeemed ticket, or (legacy) a verified JWT. */
export type Identity = Pick<SessionRecord, 'userId' | 'entityId' | 'entityType' | 'chatServerKey'>

const REFUSED = { used: 'TICKET_USED', expired: 'TICKET_EXPIRED', unknown: 'TICKET_INVALID' } as const

/**
 * Redeem a ticket for a connection: format check (no store trip for garbage),
 * one atomic consume, the IP binding. A store failure before the consume
 * leaves the ticket valid.
 */
export async function authenticate (conn: Connection, message: Record<string, unknown>, id: string | undefined): Promise<void> {
  return runAuthentication(conn, 'ticket', id, async () => {
    const { store, config, log } = conn.deps
    if (message.ticket === undefined || message.ticket === null) return 'TICKET_MISSING'
    if (typeof message.ticket !== 'string' || !TICKET_RE.test(message.ticket)) return 'TICKET_INVALID'
    if (!checkAuthenticate.Check(message)) return 'INVALID_MESSAGE'
    let result: ConsumeResult
    try {
      result = await store.consumeTicket(ticketDigest(message.ticket))
    } catch (err) {
      log.warn({ err }, 'ticket store failed during authentication')
      return 'AUTH_ERROR'
    }
    if (result.status !== 'ok') return REFUSED[result.status]
    const { ticket } = result
    if (config.ticketBindIp && ticket.clientIp !== conn.clientIp) return 'IP_MISMATCH'
    return { userId: ticket.userId, entityId: ticket.entityId, entityType: ticket.entityType, chatServerKey: ticket.chatServerKey }
  })
}

/**
 * One authentication attempt: prove an identity, store its session under the
 * per-user limit, answer the client, and report the outcome once (a log event
 * and the metrics) with its latency.
 */
export async function runAuthentication (
  conn: Connection, method: AuthMethod, id: string | undefined, prove: () => Promise<Identity | WsErrorCode>
): Promise<void> {
  const started = performance.now()
  const identity = await prove()
  const outcome = typeof identity === 'string' ? identity : await openSession(conn, identity)
  const latencyMs = performance.now() - started
  const code = typeof outcome === 'string' ? outcome : 'OK'
  const userId = typeof identity === 'string' ? undefined : identity.userId
  conn.deps.metrics.wsAuthentication(method, code, latencyMs / 1000)
  conn.deps.log.info({ event: 'ws_authentication', method, sessionId: conn.sessionId, userId, code, latencyMs }, 'websocket authentication')
  if (outcome === 'CLIENT_GONE') return
  if (typeof outcome === 'string') conn.fail(outcome, id)
  else conn.authenticated(outcome, id)
}

async function openSession (conn: Connection, identity: Identity): Promise<SessionRecord | WsErrorCode | 'CLIENT_GONE'> {
  const { store, config, log } = conn.deps
  const session = { sessionId: conn.sessionId, ...identity, authenticatedAt: new Date().toISOString() }
  let created: boolean
  try {
    created = await store.createSession(session, config.sessionTtlSeconds, config.maxSessionsPerUser)
  } catch (err) {
    log.warn({ err }, 'session store failed during authentication')
    return 'AUTH_ERROR'
  }
  if (!created) return 'SESSION_LIMIT'
  if (!conn.open) {
    // The peer left while we were redeeming: leave no session behind.
    await store.removeSession(session.sessionId).catch(() => undefined)
    return 'CLIENT_GONE'
  }
  return session
}
