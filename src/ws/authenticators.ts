import type { FastifyBaseLogger } from 'fastify'
import type { AppConfig } from '../config.js'
import type { Metrics } from '../metrics.js'
import type { AuthContext, AuthEntry, Identity, Refusal } from './identity.js'
import { legacyToken } from './legacy-auth.js'
import type { Session } from './session.js'
import { redeemTicket } from './ticket-auth.js'

/**
 * The frames that authenticate, by message type: a new way to authenticate is
 * one more entry here. A Map, so no client-sent type can hit a prototype key.
 */
export function createAuthenticators (config: Pick<AppConfig, 'legacyTokenAuth'>): ReadonlyMap<string, AuthEntry> {
  const table = new Map<string, AuthEntry>([['ticket_authenticate', { method: 'ticket', prove: redeemTicket }]])
  if (config.legacyTokenAuth) table.set('authenticate', { method: 'legacy', prove: legacyToken })
  return table
}

/** An authenticator's context; `log` is read lazily, since a per-connection child logger made here would be kept. */
export function authContext (base: Omit<AuthContext, 'clientIp' | 'log'>, clientIp: string, log: () => FastifyBaseLogger): AuthContext {
  return { store: base.store, config: base.config, credentials: base.credentials, clientIp, get log () { return log() } }
}

/**
 * Report one attempt once, as a metric and a `ws_authentication` line. The
 * line goes through the shared logger with `sessionId` as a field, so no
 * child logger is kept per socket.
 */
export function reportAuthentication (
  deps: { log: FastifyBaseLogger, metrics: Metrics }, sessionId: string, method: AuthEntry['method'],
  identity: Identity | Refusal, outcome: Session | Refusal, started: number
): void {
  const latencyMs = performance.now() - started
  const code = 'code' in outcome ? outcome.code : 'OK'
  const userId = 'code' in identity ? undefined : identity.userId
  deps.metrics.wsAuthentication(method, code, latencyMs / 1000)
  deps.log.info({ sessionId, event: 'ws_authentication', method, userId, code, latencyMs }, 'websocket authentication')
}
