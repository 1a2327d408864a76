import type { FastifyBaseLogger } from 'fastify'
import type { AppConfig } from '../config.js'
import type { WsErrorCode } from '../protocol/errors.js'
import type { AuthMethod } from '../metrics.js'
import type { SessionDraft, SessionRecord, Store } from '../stores/types.js'

/**
 * Who a connection proved to be: from a redeemed ticket, or (legacy) a verified JWT;
 * `tokenExpiresAt` (epoch ms) is the `exp` of the user JWT a ticket came from, a bound on the session.
 */
export type Identity = Pick<SessionRecord, 'userId' | 'entityId' | 'entityType' | 'chatServerKey'> & { tokenExpiresAt?: number }
/** Why an attempt failed; `CLIENT_GONE` (the peer left meanwhile) is reported but answers nobody. */
export interface Refusal { code: WsErrorCode | 'CLIENT_GONE', detail?: string }
export const refuse = (code: Refusal['code'], detail?: string): Refusal => ({ code, detail })

export interface Credentials {
  userIdOf: (token: string) => Promise<string>
  knownServerKey: (key: string) => boolean
}

/**
 * An authentication's session, for a store that opens it with the ticket's consume (Store.opensSessions):
 * one store round trip for both. `lost`: the consume failed, so the session may exist with nobody to own it.
 * Session.open writes the same record (same authenticatedAt), which the store then answers at once.
 */
export interface SessionOpening {
  draft: SessionDraft
  lost: () => void
}

/** All an authenticator may use: it never sees the Connection. */
export interface AuthContext {
  store: Store
  config: Pick<AppConfig, 'ticketBindIp'>
  credentials: Credentials
  clientIp: string
  log: FastifyBaseLogger
  /** Authentications only (not refreshes), when the store opens sessions itself. */
  opening?: SessionOpening
}

/** It neither answers the client nor opens the session: the Connection does both. */
export type Authenticator = (message: Record<string, unknown>, ctx: AuthContext) => Promise<Identity | Refusal>

export interface AuthEntry { method: AuthMethod, prove: Authenticator }
