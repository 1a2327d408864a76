import type { FastifyBaseLogger } from 'fastify'
import type { Store } from '../stores/types.js'

/** Waits between attempts to remove a closed connection's session while the store fails (about two minutes in all). */
export const REMOVAL_RETRY_MS = [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]

/**
 * Remove the session record of a connection that is gone. While the store
 * fails, the removal is retried in the background (unref'd timers), so an
 * outage does not leave records that count against MAX_SESSIONS_PER_USER
 * until their TTL; after the last attempt, or if the process exits, the TTL does it.
 */
export function removeSessionEventually (store: Store, sessionId: string, log: FastifyBaseLogger, delays = REMOVAL_RETRY_MS, attempt = 0): void {
  store.removeSession(sessionId).catch((err: unknown) => {
    const delay = delays[attempt]
    if (delay === undefined) {
      log.warn({ err, sessionId }, 'could not remove closed session: left to its TTL')
      return
    }
    log.debug({ err, sessionId, attempt }, 'could not remove closed session: retrying')
    setTimeout(() => { removeSessionEventually(store, sessionId, log, delays, attempt + 1) }, delay).unref()
  })
}
