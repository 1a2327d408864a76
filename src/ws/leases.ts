import type { FastifyBaseLogger } from 'fastify'
import type { Store } from '../stores/types.js'
import type { LiveSockets } from './live-sockets.js'

/**
 * The instance's one lease-renewal loop: every third of the lease, ONE
 * `renewLeases` call for all its live sessions (never a timer or a write per
 * socket). A failure is logged and the next period tries again; a lease still
 * has two periods left. A session the store no longer has (its lease lapsed in
 * an outage) is closed: nobody could list or revoke it. Returns the stopper.
 */
export function renewLeasesEvery (store: Store, liveSockets: LiveSockets, leaseMs: number, log: FastifyBaseLogger): () => void {
  let inFlight = false
  async function renew (): Promise<void> {
    // A store slower than the period: skip a turn rather than stack calls.
    if (inFlight) return
    inFlight = true
    const ids = liveSockets.localSessionIds()
    try {
      const gone = ids.length > 0 ? await store.renewLeases(ids, leaseMs) : []
      liveSockets.lapsed(gone)
      liveSockets.events.emit('renewal', ids.length)
    } catch (err) {
      log.warn({ err, sessions: ids.length }, 'could not renew session leases: retrying next period')
      liveSockets.events.emit('renewal', ids.length, err)
    } finally {
      inFlight = false
    }
  }
  const timer = setInterval(() => { void renew() }, Math.max(1, Math.floor(leaseMs / 3))).unref()
  return () => { clearInterval(timer) }
}
