import type { FastifyBaseLogger } from 'fastify'
import type { AppConfig } from '../config.js'
import type { Metrics } from '../metrics.js'
import type { AuthContext, AuthEntry, Identity, Refusal, SessionOpening } from './identity.js'
import { legacyToken } from './legacy-auth.js'
import type { Session } from './session.js'
import { redeemTicket } from './ticket-auth.js'

/** The frames that authenticate, by type; a Map, so no client-sent type can hit a prototype key. */
export function createAuthenticators (config: Pick<AppConfig, 'legacyTokenAuth'>): ReadonlyMap<string, AuthEntry> {
  const table = new Map<string, AuthEntry>([['ticket_authenticate', { method: 'ticket', prove: redeemTicket }]])
  if (config.legacyTokenAuth) table.set('authenticate', { method: 'legacy', prove: legacyToken })
  return table
}

/** `log` is lazy: a child logger made for every attempt would be kept per socket. */
export function authContext (
  base: Omit<AuthContext, 'clientIp' | 'log'>, clientIp: string, log: () => FastifyBaseLogger, opening?: SessionOpening
): AuthContext {
  return { store: base.store, config: base.config, credentials: base.credentials, clientIp, get log () { return log() }, opening }
}

/** Through the shared logger with `sessionId` as a field: no child logger kept per socket. */
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
