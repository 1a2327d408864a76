import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { createCleanup, type CleanupCounts, type CleanupOptions } from './postgres-cleanup.js'
import { createEventBus } from './postgres-events.js'
import { migrate } from './postgres-migrate.js'
import { clientConfig, createPool, run, type PostgresConnectionOptions } from './postgres-pool.js'
import { postgresRateLimitStore } from './postgres-rate-limit.js'
import { sessionOf, ticketOf } from './postgres-rows.js'
import {
  EXPIRED_TICKET_MEMORY_MS, StoreUnavailableError,
  type ConsumeOptions, type ConsumeResult, type SessionOptions, type SessionRecord, type Store, type StoreLogger, type TicketRecord
} from './types.js'

export interface PostgresStoreOptions extends PostgresConnectionOptions, CleanupOptions {
  log?: StoreLogger
}

/**
 * The winning UPDATE marks the ticket used (with its consume's id) and returns it; every other
 * caller (50 at once, on any instance) blocks on the row lock, re-checks `used_at IS NULL` and
 * updates nothing. Under IP binding ($3) a ticket issued to another address is not updated at all,
 * nor one this very consume ($4) is barred from (given back or fenced off, see RELEASE).
 * The second branch classifies a miss from the statement's own snapshot: unspent but bound
 * elsewhere is ip_mismatch, still within its lifetime means someone else redeemed it (used),
 * past it means expired, and past the remembrance period, or no row at all, unknown.
 */
const CONSUME = `WITH hit AS (
    UPDATE websocket_tickets SET used_at = now(), consume_id = $4::text
     WHERE ticket_hash = $1 AND used_at IS NULL AND expires_at > now() AND ($3::text IS NULL OR client_ip = $3::text)
       AND ($4::text IS NULL OR NOT $4::text = ANY(barred_consume_ids))
    RETURNING *
  )
  SELECT 'ok' AS status, * FROM hit
  UNION ALL
  SELECT CASE WHEN expires_at > now() AND used_at IS NULL AND client_ip <> $3::text THEN 'ip_mismatch'
              WHEN expires_at > now() THEN 'used'
              WHEN expires_at > now() - $2 * interval '1 millisecond' THEN 'expired'
              ELSE 'unknown' END, *
    FROM websocket_tickets WHERE ticket_hash = $1 AND NOT EXISTS (SELECT 1 FROM hit)`

/**
 * Unspent again only while still spent by that consume (consume_id becomes `given:<id>`); either way
 * the consume's id joins the barred ones, so that consume, should it still arrive, spends nothing, and
 * the ids barred before stay barred. A ticket another consume won is never touched.
 * → released: this consume's spend was given back (now or before).
 */
const RELEASE = `UPDATE websocket_tickets SET used_at = NULL,
    consume_id = CASE WHEN used_at IS NOT NULL THEN 'given:' || $2 ELSE consume_id END,
    barred_consume_ids = CASE WHEN $2 = ANY(barred_consume_ids) THEN barred_consume_ids ELSE barred_consume_ids || $2 END
   WHERE ticket_hash = $1 AND (used_at IS NULL OR consume_id = $2)
  RETURNING consume_id = 'given:' || $2 AS released`

const SESSION_COLUMNS = 'session_id, user_id, entity_id, entity_type, chat_server_key, authenticated_at, expires_at'
/** A session row counts, lists and resolves while both its expiry and its lease are ahead. */
const LIVE = 'expires_at > now() AND lease_until > now()'

const hash = (digest: string): Buffer => Buffer.from(digest, 'hex')

export interface PostgresStore extends Store {
  backend: 'postgres'
  /** Run the cleanup job once now (it also runs on its interval); undefined when another instance holds the lock. */
  cleanup: () => Promise<CleanupCounts | undefined>
  rateLimitStore: () => FastifyRateLimitStoreCtor
}

/**
 * The PostgreSQL store (the guides' "Option B"): tickets, sessions, the shared rate limit
 * and cross-instance events in the database the team already runs. Migrates the schema,
 * starts listening and starts the cleanup job before it resolves.
 */
const silent = (): undefined => undefined

export async function createPostgresStore (opts: PostgresStoreOptions): Promise<PostgresStore> {
  const log = opts.log ?? { info: silent, warn: silent }
  const pool = createPool(opts, log)
  // Sessions created through this instance (so their sockets are here) and not removed yet.
  const local = new Set<string>()
  const events = createEventBus(pool, clientConfig(opts), log, async (emit) => {
    // A revocation sent while this instance was not listening: its record is gone, the socket is still here.
    const ids = [...local]
    const rows = await run(pool, 'SELECT session_id FROM websocket_sessions WHERE session_id = ANY($1)', [ids])
    const present = new Set(rows.map(row => row.session_id))
    for (const id of ids.filter(id => !present.has(id))) {
      local.delete(id)
      emit({ kind: 'revoke', sessionId: id })
    }
  })
  const cleanup = createCleanup(pool, log, opts)
  const q = async (text: string, values?: unknown[]) => await run(pool, text, values)

  const store: PostgresStore = {
    backend: 'postgres',
    cleanup: cleanup.cleanup,

    async issueTicket (digest: string, t: TicketRecord): Promise<void> {
      await q(`INSERT INTO websocket_tickets (ticket_hash, user_id, entity_id, entity_type, provider_res_id,
        chat_server_key, client_ip, user_agent, created_at, expires_at, token_expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
        hash(digest), t.userId, t.entityId, t.entityType, t.providerResId, t.chatServerKey, t.clientIp, t.userAgent,
        new Date(t.createdAt), new Date(t.expiresAt), t.tokenExpiresAt === undefined ? null : new Date(t.tokenExpiresAt)
      ])
    },

    async consumeTicket (digest: string, opts: ConsumeOptions = {}): Promise<ConsumeResult> {
      const [row] = await q(CONSUME, [hash(digest), EXPIRED_TICKET_MEMORY_MS, opts.clientIp ?? null, opts.consumeId ?? null])
      if (row === undefined) return { status: 'unknown' }
      return row.status === 'ok' ? { status: 'ok', ticket: ticketOf(row) } : { status: row.status }
    },

    async releaseTicket (digest: string, consumeId: string): Promise<boolean> {
      const [row] = await q(RELEASE, [hash(digest), consumeId])
      return row?.released === true
    },

    async createSession (s: SessionRecord, { maxPerUser, leaseMs }: SessionOptions): Promise<boolean> {
      const [row] = await q('SELECT websocket_create_session($1, $2, $3, $4, $5, $6, $7, $8, $9) AS created', [
        s.sessionId, s.userId, s.entityId, s.entityType, s.chatServerKey, s.authenticatedAt, s.expiresAt, leaseMs, maxPerUser
      ])
      if (row.created === true) local.add(s.sessionId)
      return row.created
    },

    // One statement for every session of the instance; rows already gone are not matched, so never revived.
    async renewLeases (sessionIds: readonly string[], leaseMs: number): Promise<string[]> {
      if (sessionIds.length === 0) return []
      const rows = await q(`UPDATE websocket_sessions SET lease_until = now() + $2 * interval '1 millisecond'
        WHERE session_id = ANY($1) AND ${LIVE} RETURNING session_id`, [sessionIds, leaseMs])
      const renewed = new Set(rows.map(row => row.session_id))
      return sessionIds.filter(id => !renewed.has(id))
    },

    async updateSessionExpiry (sessionId: string, expiresAt: string): Promise<boolean> {
      const rows = await q(`UPDATE websocket_sessions SET expires_at = $2 WHERE session_id = $1 AND ${LIVE} RETURNING 1`, [sessionId, expiresAt])
      return rows.length === 1
    },

    async getSession (sessionId: string): Promise<SessionRecord | undefined> {
      const [row] = await q(`SELECT ${SESSION_COLUMNS} FROM websocket_sessions WHERE session_id = $1 AND ${LIVE}`, [sessionId])
      return row === undefined ? undefined : sessionOf(row)
    },

    async removeSession (sessionId: string): Promise<boolean> {
      local.delete(sessionId)
      const rows = await q(`DELETE FROM websocket_sessions WHERE session_id = $1 RETURNING ${LIVE} AS live`, [sessionId])
      return rows[0]?.live === true
    },

    async listSessions (userId: string): Promise<SessionRecord[]> {
      const rows = await q(`SELECT ${SESSION_COLUMNS} FROM websocket_sessions
        WHERE user_id = $1 AND ${LIVE} ORDER BY authenticated_at, session_id`, [userId])
      return rows.map(sessionOf)
    },

    async countUserSessions (userIds: readonly string[]): Promise<number[]> {
      const rows = await q(`SELECT user_id, count(*)::int AS n FROM websocket_sessions
        WHERE user_id = ANY($1::text[]) AND ${LIVE} GROUP BY user_id`, [userIds])
      const counts = new Map(rows.map(row => [row.user_id as string, row.n as number]))
      return userIds.map(userId => counts.get(userId) ?? 0)
    },

    publish: events.publish,
    subscribe: events.subscribe,
    checkEvents: events.roundTrip,
    rateLimitStore: () => postgresRateLimitStore(pool),
    rateLimit () { return { store: store.rateLimitStore() } },

    async ping (): Promise<void> {
      await q('SELECT 1')
      // Without the LISTEN connection this instance would miss revocations: report it down.
      if (!events.listening()) throw new StoreUnavailableError('PostgreSQL LISTEN connection is down')
    },

    async close (): Promise<void> {
      cleanup.stop()
      await events.close()
      await pool.end()
    }
  }

  try {
    await migrate(pool)
    await events.start()
  } catch (err) {
    await store.close()
    throw new StoreUnavailableError(`PostgreSQL store could not start: ${(err as Error).message}`, { cause: err })
  }
  cleanup.start()
  return store
}
