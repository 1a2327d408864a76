import type { RateLimitPluginOptions } from '@fastify/rate-limit'
import type { Cluster, Redis } from 'ioredis'
import type { SessionRecord } from '../protocol/http.js'

export type { SessionRecord }

/** What is kept per ticket. Never the bearer token, never the ticket itself. */
export interface TicketRecord {
  userId: string
  entityId?: string
  entityType?: string
  providerResId?: string
  chatServerKey: string
  clientIp: string
  userAgent?: string
  // epoch milliseconds
  createdAt: number
  expiresAt: number
  // epoch milliseconds: the `exp` of the user JWT the ticket was issued from, when it had one
  tokenExpiresAt?: number
}

/** How a session is stored: counted against `maxPerUser`, and kept as a lease of `leaseMs` until renewed. */
export interface SessionOptions {
  maxPerUser: number
  leaseMs: number
}

/**
 * A session to open in the consume's own atomic step, where the store can: its record is
 * `{ sessionId, userId, entityId, entityType, chatServerKey, authenticatedAt, expiresAt }`
 * from the ticket, expiresAt the earlier of `expiresAtByTtl` and (when `followsTokenExpiry`)
 * the ticket's tokenExpiresAt, as sessionExpiry() computes it.
 */
export interface SessionDraft extends SessionOptions {
  sessionId: string
  authenticatedAt: string
  /** Epoch ms: authenticatedAt + SESSION_TTL_SECONDS. */
  expiresAtByTtl: number
  followsTokenExpiry: boolean
}

/** The outcome of one atomic redemption attempt; `ip_mismatch` leaves the ticket unspent. */
export type ConsumeResult =
  | { status: 'ok', ticket: TicketRecord }
  | { status: 'used' | 'expired' | 'unknown' | 'ip_mismatch' }

export interface ConsumeOptions {
  /** TICKET_BIND_IP: refuse (`ip_mismatch`, unspent) unless the ticket was issued to this address; checked in the same atomic step. */
  clientIp?: string
  /** Recorded with the spent mark, so a consume whose reply was lost can be given back (`releaseTicket`). */
  consumeId?: string
  /**
   * Open this session in the same step, where the store can (Store.opensSessions): one round trip
   * for both. The caller's createSession of that record follows as always, and answers (true, or
   * false at MAX_SESSIONS_PER_USER) without a round trip. A failed consume may have opened it.
   */
  session?: SessionDraft
}

/** Messages every instance sharing a store receives (revocation, delivery to a user or session). */
export type StoreEvent =
  | { kind: 'revoke', sessionId: string, reconnect?: boolean }
  | { kind: 'deliver', sessionId?: string, userId?: string, payload: string }

/** The store could not be reached or answered with an error: maps to DATABASE_ERROR / AUTH_ERROR. */
export class StoreUnavailableError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreUnavailableError'
  }
}

/**
 * The ticket was consumed but the store could not confirm it durably (Redis:
 * fewer replicas acknowledged it than REDIS_WAIT_REPLICAS). Answered AUTH_ERROR
 * like any store failure, but the ticket is spent: never give it back.
 */
export class ConsumeUnconfirmedError extends StoreUnavailableError {
  constructor (message: string) {
    super(message)
    this.name = 'ConsumeUnconfirmedError'
  }
}

/** Where a store logs what it recovers from by itself (a pino logger fits). */
export interface StoreLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
}

/** How long an expired or used ticket is still recognised (TICKET_EXPIRED / TICKET_USED) after its expiry. */
export const EXPIRED_TICKET_MEMORY_MS = 5 * 60 * 1000

/** Every operation of a store, in one list: metrics time exactly these, the test fault switch breaks them. */
export const STORE_OPERATIONS = [
  'issueTicket', 'consumeTicket', 'releaseTicket', 'createSession', 'renewLeases', 'updateSessionExpiry', 'getSession', 'removeSession',
  'listSessions', 'countUserSessions', 'publish', 'checkEvents', 'ping'
] as const
export type StoreOperation = typeof STORE_OPERATIONS[number]

/** What a backend tells @fastify/rate-limit: its own counter store, a Redis client, or nothing (in process). */
export type RateLimitBackend = Pick<RateLimitPluginOptions, 'store' | 'redis' | 'nameSpace'>

/**
 * The ticket and session store every backend implements. Tickets are addressed
 * by the SHA-256 digest of the ticket string, so nothing stored can be redeemed.
 */
export interface Store {
  readonly backend: 'memory' | 'redis' | 'postgres'
  /** Save a new ticket; it can be consumed until `record.expiresAt`. */
  issueTicket: (digest: string, record: TicketRecord) => Promise<void>
  /** Atomically redeem a ticket: exactly one caller ever gets `ok`. */
  consumeTicket: (digest: string, opts?: ConsumeOptions) => Promise<ConsumeResult>
  /**
   * Give back a ticket whose consume reply was lost: unspent again only if it is still spent by
   * `consumeId` (a consume nobody learnt the outcome of, so no session came of it); true when given back.
   * Never touches a ticket another consume spent. The memory store never loses a reply: always false.
   */
  releaseTicket: (digest: string, consumeId: string) => Promise<boolean>
  /**
   * Store a session unless the user already has `maxPerUser` live ones; false when refused.
   * A session is live (got, listed, counted) while now < min(record.expiresAt, lease end):
   * the lease ends `leaseMs` after creation unless renewLeases extends it.
   */
  createSession: (record: SessionRecord, opts: SessionOptions) => Promise<boolean>
  /**
   * Extend the leases of live sessions to now + `leaseMs` (never past their expiresAt), in one
   * round trip for all of them: the owning instance calls it once per renewal period with the ids
   * of its open sockets. Ids that are gone (removed, expired, lapsed) are skipped, never revived,
   * and returned: no one can list, revoke or count them any more, so their sockets should close
   * (e.g. after a store outage longer than the lease).
   */
  renewLeases: (sessionIds: readonly string[], leaseMs: number) => Promise<string[]>
  /** Move a live session's expiresAt (an in-band refresh); false when the session is gone. */
  updateSessionExpiry: (sessionId: string, expiresAt: string) => Promise<boolean>
  getSession: (sessionId: string) => Promise<SessionRecord | undefined>
  /** Remove a session; true when it existed. */
  removeSession: (sessionId: string) => Promise<boolean>
  listSessions: (userId: string) => Promise<SessionRecord[]>
  /**
   * How many live sessions each user has (counts in the order of `userIds`), exactly what
   * `listSessions(userId).length` would say, for a whole batch in one store round trip.
   */
  countUserSessions: (userIds: readonly string[]) => Promise<number[]>
  /**
   * Send an event to every instance sharing this store (this one included), at most once:
   * an instance disconnected at the time never gets it (test/contract/store-events.test.ts).
   * PostgreSQL only: back online, an instance emits `revoke` for each session it created
   * whose record is gone, so revocations are recovered (deliveries are not); Redis recovers nothing.
   */
  publish: (event: StoreEvent) => Promise<void>
  subscribe: (listener: (event: StoreEvent) => void) => void
  /**
   * Resolves when an event published now comes back through this instance's
   * subscription within a second (EVENT_ROUND_TRIP_MS); rejects otherwise.
   * Health calls it through `cachedCheck`, never per request.
   */
  checkEvents: () => Promise<void>
  /** Where the ticket rate limit is counted, so it holds across the instances sharing this store. */
  rateLimit: () => RateLimitBackend
  /** True when consumeTicket opens `opts.session` itself (Redis on one server; see ConsumeOptions.session). */
  readonly opensSessions?: boolean
  /** Connections a host app may reuse: `redis` becomes `fastify.redis` (@fastify/redis). */
  readonly shared?: { redis?: Redis | Cluster }
  /** Resolves when the store answers; rejects with StoreUnavailableError otherwise. */
  ping: () => Promise<void>
  close: () => Promise<void>
}
