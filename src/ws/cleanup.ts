import type { FastifyBaseLogger } from 'fastify'
import type { Store } from '../stores/types.js'

/** Waits between attempts to remove a closed connection's session while the store fails (about two minutes in all). */
export const REMOVAL_RETRY_MS = [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]

export interface RemovalOptions {
  delays?: readonly number[]
  /** Checked before every attempt: the record became wanted again (its connection authenticated after all). */
  unless?: () => boolean
}

/**
 * Remove a session record nobody holds: its connection is gone, or its
 * write failed (the write may have landed with only its reply lost). While
 * the store fails, the removal is retried in the background (unref'd timers),
 * so an outage does not leave records that count against
 * MAX_SESSIONS_PER_USER until their TTL; after the last attempt, or if the
 * process exits, the TTL does it.
 */
export function removeSessionEventually (store: Store, sessionId: string, log: FastifyBaseLogger, opts: RemovalOptions = {}, attempt = 0): void {
  const { delays = REMOVAL_RETRY_MS, unless } = opts
  if (unless?.() === true) return
  store.removeSession(sessionId).catch((err: unknown) => {
    const delay = delays[attempt]
    if (delay === undefined) {
      log.warn({ err, sessionId }, 'could not remove session: left to its TTL')
      return
    }
    log.debug({ err, sessionId, attempt }, 'could not remove session: retrying')
    setTimeout(() => { removeSessionEventually(store, sessionId, log, opts, attempt + 1) }, delay).unref()
  })
}
