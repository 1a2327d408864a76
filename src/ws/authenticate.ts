import { sha256Hex } from '../crypto.js'
import { compileChecker, firstError, isoNow } from '../protocol/codec.js'
import { TicketAuthenticateSchema } from '../protocol/messages.js'
import { TICKET_PATTERN } from '../protocol/http.js'
import type { WsErrorCode } from '../protocol/errors.js'
import type { AuthMethod } from '../metrics.js'
import type { ConsumeResult, SessionRecord } from '../stores/types.js'
import type { Connection } from './connection.js'
import { removeSessionEventually } from './cleanup.js'

const checkAuthenticate = compileChecker(TicketAuthenticateSchema)
const TICKET_RE = new RegExp(TICKET_PATTERN)

/** The store key of a ticket: its SHA-256, so a dump of the store holds nothing redeemable. */
export function ticketDigest (ticket: string): string {
  return sha256Hex(ticket)
}

/** Who a connection proved to be: from a redeemed ticket, or (legacy) a verified JWT. */
export type Identity = Pick<SessionRecord, 'userId' | 'entityId' | 'entityType' | 'chatServerKey'>
/** Why an attempt failed; `CLIENT_GONE` (the peer left meanwhile) is reported but answers nobody. */
export interface Refusal { code: WsErrorCode | 'CLIENT_GONE', detail?: string }
export const refuse = (code: Refusal['code'], detail?: string): Refusal => ({ code, detail })

const REFUSED = { used: 'TICKET_USED', expired: 'TICKET_EXPIRED', unknown: 'TICKET_INVALID' } as const

/**
 * Redeem a ticket for a connection: format check (no store trip for garbage),
 * one atomic consume, the IP binding. A store failure before the consume
 * leaves the ticket valid.
 */
export async function authenticate (conn: Connection, message: Record<string, unknown>, id: string | undefined): Promise<void> {
  return runAuthentication(conn, 'ticket', id, async () => {
    const { store, config } = conn.deps
    if (message.ticket === undefined || message.ticket === null) return refuse('TICKET_MISSING')
    if (typeof message.ticket !== 'string' || !TICKET_RE.test(message.ticket)) return refuse('TICKET_INVALID')
    if (!checkAuthenticate.Check(message)) return refuse('INVALID_MESSAGE', firstError(checkAuthenticate, message))
    let result: ConsumeResult
    try {
      result = await store.consumeTicket(ticketDigest(message.ticket))
    } catch (err) {
      conn.log.warn({ err }, 'ticket store failed during authentication')
      return refuse('AUTH_ERROR')
    }
    if (result.status !== 'ok') return refuse(REFUSED[result.status])
    const { ticket } = result
    if (config.ticketBindIp && ticket.clientIp !== conn.clientIp) return refuse('IP_MISMATCH')
    return { userId: ticket.userId, entityId: ticket.entityId, entityType: ticket.entityType, chatServerKey: ticket.chatServerKey }
  })
}

/**
 * One authentication attempt: prove an identity, store its session under the
 * per-user limit, answer the client, and report the outcome once (a log event
 * and the metrics) with its latency.
 */
export async function runAuthentication (
  conn: Connection, method: AuthMethod, id: string | undefined, prove: () => Promise<Identity | Refusal>
): Promise<void> {
  const started = performance.now()
  const identity = await prove()
  const outcome = 'code' in identity ? identity : await openSession(conn, identity)
  const latencyMs = performance.now() - started
  const code = 'code' in outcome ? outcome.code : 'OK'
  const userId = 'code' in identity ? undefined : identity.userId
  conn.deps.metrics.wsAuthentication(method, code, latencyMs / 1000)
  // The same line as through `conn.log`, without making (and keeping) a child logger for every socket.
  conn.deps.log.info({ sessionId: conn.sessionId, event: 'ws_authentication', method, userId, code, latencyMs }, 'websocket authentication')
  if (!('code' in outcome)) return conn.authenticated(outcome, id)
  if (outcome.code !== 'CLIENT_GONE') conn.fail(outcome.code, id, false, outcome.detail)
}

async function openSession (conn: Connection, identity: Identity): Promise<SessionRecord | Refusal> {
  const { store, config } = conn.deps
  const session = { sessionId: conn.sessionId, ...identity, authenticatedAt: isoNow() }
  let created: boolean
  try {
    created = await store.createSession(session, config.sessionTtlSeconds, config.maxSessionsPerUser)
  } catch (err) {
    conn.log.warn({ err }, 'session store failed during authentication')
    // The write may have landed with only its reply lost; a later success on this connection keeps it.
    removeSessionEventually(store, session.sessionId, conn.log, { unless: () => conn.session !== undefined })
    return refuse('AUTH_ERROR')
  }
  if (!created) return refuse('SESSION_LIMIT')
  if (!conn.open) {
    // The peer left while we were redeeming: leave no session behind.
    removeSessionEventually(store, session.sessionId, conn.log)
    return refuse('CLIENT_GONE')
  }
  return session
}
