import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { STORE_DEFAULTS } from './defaults.js'
import { ignore, withClient } from './postgres-pool.js'
import { EXPIRED_TICKET_MEMORY_MS, type StoreLogger } from './types.js'

/** Session-level advisory lock: one instance cleans at a time, the others skip their turn. */
const CLEANUP_LOCK = '7316230002'
/** Batches per table per run: a large backlog is worked off over several runs, never in one long burst. */
const MAX_BATCHES = 50

/**
 * Each statement deletes at most one batch ($1 rows) in its own short transaction.
 * SKIP LOCKED: rows another transaction is touching are left for the next run,
 * so cleanup never waits on (or blocks) a request.
 */
const DELETES = {
  // Expired tickets are still reported TICKET_EXPIRED for EXPIRED_TICKET_MEMORY_MS after their expiry.
  tickets: `DELETE FROM websocket_tickets WHERE ticket_hash IN (SELECT ticket_hash FROM websocket_tickets
    WHERE expires_at < now() - interval '${EXPIRED_TICKET_MEMORY_MS} milliseconds' LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  sessions: `DELETE FROM websocket_sessions WHERE session_id IN (SELECT session_id FROM websocket_sessions
    WHERE expires_at <= now() OR lease_until <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  rateLimits: `DELETE FROM websocket_rate_limits WHERE key IN (SELECT key FROM websocket_rate_limits
    WHERE reset_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  // Parked events are read within milliseconds of their NOTIFY; a minute is ample.
  events: `DELETE FROM websocket_events WHERE id IN (SELECT id FROM websocket_events
    WHERE created_at < now() - interval '1 minute' LIMIT $1 FOR UPDATE SKIP LOCKED)`
}

export type CleanupCounts = Record<keyof typeof DELETES, number>

export interface CleanupOptions {
  cleanupIntervalMs?: number
  cleanupBatchSize?: number
}

/**
 * The guide's periodic cleanup job, safe with many instances: whoever gets the advisory
 * lock deletes expired rows in small batches.
 */
export function createCleanup (pool: pg.Pool, log: StoreLogger, opts: CleanupOptions = {}) {
  const batchSize = opts.cleanupBatchSize ?? STORE_DEFAULTS.pgCleanupBatchSize
  const stop = new AbortController()

  /** One run; undefined when another instance holds the lock. */
  async function cleanup (): Promise<CleanupCounts | undefined> {
    return await withClient(pool, async (client) => {
      const [{ locked }] = (await client.query('SELECT pg_try_advisory_lock($1) AS locked', [CLEANUP_LOCK])).rows
      if (locked !== true) return undefined
      const counts = { tickets: 0, sessions: 0, rateLimits: 0, events: 0 }
      for (const table of Object.keys(DELETES) as Array<keyof typeof DELETES>) {
        counts[table] = await drain(client, DELETES[table])
      }
      // On failure the connection is dropped instead, which releases the lock too.
      await client.query('SELECT pg_advisory_unlock($1)', [CLEANUP_LOCK])
      return counts
    })
  }

  async function drain (client: pg.PoolClient, sql: string): Promise<number> {
    let total = 0
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const deleted = (await client.query(sql, [batchSize])).rowCount as number
      total += deleted
      if (deleted < batchSize) break
    }
    return total
  }

  /** Runs until stop() aborts the wait; a run ends before the next wait starts, so runs never overlap. */
  async function loop (): Promise<never> {
    for (;;) {
      await sleep(opts.cleanupIntervalMs ?? STORE_DEFAULTS.pgCleanupIntervalMs, undefined, { signal: stop.signal, ref: false })
      await cleanup().catch((err: unknown) => { log.warn({ err }, 'PostgreSQL cleanup failed; retrying next interval') })
    }
  }

  return {
    cleanup,
    // The loop only ends by stop()'s AbortError.
    start: () => { loop().catch(ignore) },
    stop: () => { stop.abort() }
  }
}
