import { EventEmitter } from 'node:events'
import pg from 'pg'
import { createProbes } from './event-health.js'
import { ignore, run } from './postgres-pool.js'
import type { StoreEvent, StoreLogger } from './types.js'

const CHANNEL = 'websocket_events'
/** NOTIFY refuses payloads of 8000 bytes or more; larger events travel through websocket_events. */
const NOTIFY_LIMIT = 7900
const RETRY_MIN_MS = 100
const RETRY_MAX_MS = 2000

/**
 * Cross-instance events over LISTEN/NOTIFY. One dedicated connection (outside the pool,
 * which hands connections to anyone) listens; when it drops it reconnects with backoff
 * and LISTENs again. PostgreSQL keeps no backlog for a listener that is away, so after
 * each LISTEN `catchUp` reconstructs what matters (revocations) from the tables; only
 * then does the bus count as listening.
 */
export function createEventBus (pool: pg.Pool, config: pg.ClientConfig, log: StoreLogger, catchUp: (emit: (event: StoreEvent) => void) => Promise<void>) {
  const events = new EventEmitter()
  let listening = false
  let closed = false
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined
  let delay = RETRY_MIN_MS
  const probes = createProbes()

  async function receive (payload: string | undefined): Promise<void> {
    try {
      let event = JSON.parse(payload as string)
      if (probes.receive(event)) return
      if (typeof event.ref === 'string') {
        const [row] = await run(pool, 'SELECT payload FROM websocket_events WHERE id = $1', [event.ref])
        event = JSON.parse(row.payload)
      }
      events.emit('event', event as StoreEvent)
    } catch (err) {
      log.warn({ err }, 'dropped an unreadable store event')
    }
  }

  async function listen (): Promise<void> {
    const current = new pg.Client(config)
    client = current
    current.on('error', (err) => { log.warn({ err }, 'PostgreSQL LISTEN connection failed; reconnecting') })
    current.on('notification', (msg) => { receive(msg.payload).catch(ignore) })
    // Emitted once per client, after a failed connect as after a lost connection: the one retry path.
    current.once('end', () => {
      listening = false
      if (closed) return
      retry = setTimeout(() => {
        listen().catch((err: unknown) => { log.warn({ err }, 'PostgreSQL LISTEN reconnect failed; retrying') })
      }, delay)
      delay = Math.min(delay * 2, RETRY_MAX_MS)
    })
    try {
      await current.connect()
      await current.query(`LISTEN ${CHANNEL}`)
      // Listening from here on; what was missed before is recovered from the tables.
      await catchUp(event => events.emit('event', event))
    } catch (err) {
      // Ending a half-open client emits 'end' too, so a failed LISTEN is retried like a failed connect.
      // Not awaited: after a failed connect the 'end' it would wait for may already be past.
      current.end().catch(ignore)
      throw err
    }
    listening = true
    delay = RETRY_MIN_MS
  }

  return {
    /** Connect and LISTEN; rejects when the first attempt fails. */
    start: listen,
    /** True while the LISTEN connection is up: without it, revocations from other instances are missed. */
    listening: () => listening,

    async publish (event: StoreEvent): Promise<void> {
      const json = JSON.stringify(event)
      if (Buffer.byteLength(json) < NOTIFY_LIMIT) {
        await run(pool, 'SELECT pg_notify($1, $2)', [CHANNEL, json])
        return
      }
      await run(pool, `WITH parked AS (INSERT INTO websocket_events (payload) VALUES ($2) RETURNING id)
        SELECT pg_notify($1, json_build_object('ref', id::text)::text) FROM parked`, [CHANNEL, json])
    },

    /** A probe NOTIFYed through the pool must come back through the LISTEN connection (reconnected if not). */
    async roundTrip (): Promise<void> {
      await probes.roundTrip(async probe => await run(pool, 'SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(probe)]), () => {
        log.warn({}, 'PostgreSQL LISTEN connection did not deliver an event; reconnecting it')
        // Ending it takes the reconnect path ('end'), which LISTENs again and catches up.
        client?.end().catch(ignore)
      })
    },

    subscribe (listener: (event: StoreEvent) => void): void {
      events.on('event', listener)
    },

    async close (): Promise<void> {
      closed = true
      clearTimeout(retry)
      events.removeAllListeners()
      await client?.end()
    }
  }
}
