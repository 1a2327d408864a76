import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import type { Store } from '../stores/types.js'

/** Waits between attempts to remove a closed connection's session while the store fails (about two minutes in all). */
export const REMOVAL_RETRY_MS = [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]

/** `left`: given up to the TTL; `kept`: the record was wanted again. */
export type RemovalOutcome = 'removed' | 'left' | 'kept'

export interface RemovalOptions {
  delays?: readonly number[]
  unless?: () => boolean
}

/**
 * Retried while the store fails, so an outage leaves no records counting
 * against MAX_SESSIONS_PER_USER until their TTL. Never rejects.
 */
export async function removeSessionEventually (
  store: Store, sessionId: string, log: FastifyBaseLogger, opts: RemovalOptions = {}
): Promise<RemovalOutcome> {
  const { delays = REMOVAL_RETRY_MS, unless } = opts
  let attempt = 0
  while (unless?.() !== true) {
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
      attempt++
      await sleep(delay, undefined, { ref: false })
    }
  }
  return 'kept'
}
