import pg from 'pg'
import { STORE_DEFAULTS } from './defaults.js'
import { StoreUnavailableError, type StoreLogger } from './types.js'

export interface PostgresConnectionOptions {
  url: string
  /** Most connections this instance opens (the LISTEN connection comes on top). */
  poolMax?: number
  /** Longest wait for a connection, new or from the pool, in ms. */
  connectTimeoutMs?: number
  /** Longest a statement may run, enforced by the server and, if it hangs, by the client. */
  queryTimeoutMs?: number
}

/** Connection settings shared by the pool and the LISTEN connection: every wait is bounded. */
export function clientConfig (opts: PostgresConnectionOptions): pg.ClientConfig {
  const queryTimeoutMs = opts.queryTimeoutMs ?? STORE_DEFAULTS.pgQueryTimeoutMs
  return {
    connectionString: opts.url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? STORE_DEFAULTS.pgConnectTimeoutMs,
    statement_timeout: queryTimeoutMs,
    // The client-side timeout also covers a server that stopped answering without closing the socket.
    query_timeout: queryTimeoutMs,
    keepAlive: true,
    application_name: 'ws-ticket-auth'
  }
}

/** A bounded pool whose idle-connection failures (a restart, a failover) are logged, never thrown. */
export function createPool (opts: PostgresConnectionOptions, log: StoreLogger): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(opts), max: opts.poolMax ?? STORE_DEFAULTS.pgPoolMax, idleTimeoutMillis: 30_000 })
  pool.on('error', (err) => { log.warn({ err }, 'idle PostgreSQL connection failed; it will be replaced') })
  return pool
}

/** One statement through the pool; any failure becomes StoreUnavailableError (503 / AUTH_ERROR upstream). */
export async function run<Row extends pg.QueryResultRow = any> (pool: pg.Pool, text: string, values?: unknown[]): Promise<Row[]> {
  try {
    return (await pool.query<Row>(text, values)).rows
  } catch (err) {
    throw new StoreUnavailableError('PostgreSQL request failed', { cause: err })
  }
}

/** Swallows what is reported elsewhere (a failing statement, a stop's AbortError). */
export const ignore = (): undefined => undefined

/**
 * Run a multi-statement job on one pooled connection. A failed job's connection is destroyed,
 * not reused, so an open transaction or a session-level advisory lock never returns to the pool.
 */
export async function withClient<T> (pool: pg.Pool, job: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  // The pool listens for errors only on idle connections: a server shutdown between two
  // statements would be an uncaught 'error'. The next statement reports it instead.
  client.on('error', ignore)
  try {
    const result = await job(client)
    client.off('error', ignore)
    client.release()
    return result
  } catch (err) {
    // Destroyed with the listener still on: late errors of the dying connection stay swallowed.
    client.release(true)
    throw err
  }
}
