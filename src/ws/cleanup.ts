import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import type { Store } from '../stores/types.js'

/** Waits between attempts to remove a closed connection's session while the store fails (about two minutes in all). */
export const REMOVAL_RETRY_MS = [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]

/** How a removal ended: done, given up (the TTL will do it), or skipped because the record was wanted again. */
export type RemovalOutcome = 'removed' | 'left' | 'kept'

export interface RemovalOptions {
  delays?: readonly number[]
  /** Checked before every attempt: the record became wanted again (its connection authenticated after all). */
  unless?: () => boolean
}

/**
 * Remove a session record nobody holds. While the store fails the removal is
 * retried in the background, so an outage does not leave records counting
 * against MAX_SESSIONS_PER_USER until their TTL; unref'd, so a process that
 * exits meanwhile leaves them to the TTL. Never rejects.
 */
export async function removeSessionEventually (
  store: Store, sessionId: string, log: FastifyBaseLogger, opts: RemovalOptions = {}
): Promise<RemovalOutcome> {
  const { delays = REMOVAL_RETRY_MS, unless } = opts
  for (let attempt = 0; ; attempt++) {
    if (unless?.() === true) return 'kept'
    try {
      await store.removeSession(sessionId)
      return 'removed'
    } catch (err) {
      const delay = delays[attempt]
      if (delay === undefined) {
        log.warn({ err, sessionId }, 'could not remove session: left to its TTL')
        return 'left'
      }
      log.debug({ err, sessionId, attempt }, 'could not remove session: retrying')
      await sleep(delay, undefined, { ref: false })
    }
  }
}
