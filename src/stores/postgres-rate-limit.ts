import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type pg from 'pg'

/** What @fastify/rate-limit really passes to a store's constructor and to `child` (its merged options). */
interface RateLimitOptions {
  continueExceeding?: boolean
  exponentialBackoff?: boolean
  routeInfo?: { method?: string, url?: string }
}

/**
 * One round trip per request: start a window, count within it, or restart it once it
 * has passed. The row lock of the upsert serialises concurrent requests for one key
 * across instances. $4: with continueExceeding, every refused request restarts the window.
 */
const INCR = `INSERT INTO websocket_rate_limits AS r (key, hits, reset_at)
  VALUES ($1, 1, now() + $2 * interval '1 millisecond')
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN r.reset_at <= now() THEN 1 ELSE r.hits + 1 END,
    reset_at = CASE WHEN r.reset_at <= now() OR ($4 AND r.hits + 1 > $3) THEN excluded.reset_at ELSE r.reset_at END
  RETURNING hits, ceil(extract(epoch FROM reset_at - now()) * 1000)::integer AS ttl`

/**
 * A @fastify/rate-limit store class whose counters live in PostgreSQL, so a limit holds
 * across every instance sharing the database. Expired counters are removed by the cleanup job.
 */
export function postgresRateLimitStore (pool: pg.Pool): FastifyRateLimitStoreCtor {
  class PostgresRateLimitStore {
    private readonly continueExceeding: boolean
    private readonly prefix: string

    constructor (options: RateLimitOptions, prefix = '') {
      // Exponential backoff is a different model (windows that grow): refuse rather than ignore it.
      if (options.exponentialBackoff === true) throw new Error('the PostgreSQL rate-limit store does not support exponentialBackoff')
      this.continueExceeding = options.continueExceeding === true
      this.prefix = prefix
    }

    incr (key: string, callback: (err: Error | null, result?: { current: number, ttl: number }) => void, timeWindow: number, max: number): void {
      pool.query<{ hits: number, ttl: number }>(INCR, [this.prefix + key, timeWindow, max, this.continueExceeding]).then(
        ({ rows: [row] }) => { callback(null, { current: row.hits, ttl: row.ttl }) },
        (err: Error) => { callback(err) }
      )
    }

    child (routeOptions: RateLimitOptions): PostgresRateLimitStore {
      // One key space per route, as the plugin's own stores do.
      const route = routeOptions.routeInfo as { method: string, url: string }
      return new PostgresRateLimitStore(routeOptions, `${route.method}${route.url}-`)
    }
  }
  // The plugin's typings describe child()'s argument as the route options; at run time it is
  // the merged limit options carrying `routeInfo` (see its store/*.js), which is what we read.
  return PostgresRateLimitStore as unknown as FastifyRateLimitStoreCtor
}
