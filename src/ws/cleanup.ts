import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import type { Store } from '../stores/types.js'

/** Waits between attempts to remove a closed connection's session while the store fails (about two minutes in all). */
export const REMOVAL_RETRY_MS = [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]
/** Waits between attempts to give back a ticket whose consume reply was lost: short first, as the client retries soon. */
export const RELEASE_RETRY_MS = [100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 51_200]

/** `left`: given up to the TTL; `kept`: the record was wanted again. */
export type RemovalOutcome = 'removed' | 'left' | 'kept'

export interface RemovalOptions {
  delays?: readonly number[]
  unless?: () => boolean
}

/** `attempt` retried while it throws; `left` after the last delay, `kept` once `unless()` holds. Never rejects. */
async function eventually<T> (
  attempt: () => Promise<T>, log: FastifyBaseLogger, fields: object, what: string, opts: RemovalOptions & { delays: readonly number[] }
): Promise<T | 'left' | 'kept'> {
  let tries = 0
  while (opts.unless?.() !== true) {
    try {
      return await attempt()
    } catch (err) {
      const delay = opts.delays[tries]
      if (delay === undefined) {
        log.warn({ err, ...fields }, `could not ${what}: left to its TTL`)
        return 'left'
      }
      log.debug({ err, ...fields, attempt: tries }, `could not ${what}: retrying`)
      tries++
      await sleep(delay, undefined, { ref: false })
    }
  }
  return 'kept'
}

/**
 * Retried while the store fails, so an outage leaves no records counting
 * against MAX_SESSIONS_PER_USER until their TTL. Never rejects.
 */
export async function removeSessionEventually (
  store: Store, sessionId: string, log: FastifyBaseLogger, opts: RemovalOptions = {}
): Promise<RemovalOutcome> {
  const remove = async () => { await store.removeSession(sessionId); return 'removed' as const }
  return await eventually(remove, log, { sessionId }, 'remove session', { ...opts, delays: opts.delays ?? REMOVAL_RETRY_MS })
}

/**
 * A consume whose reply was lost may have spent the ticket with no session
 * coming of it: once the store answers, give it back (only if that very
 * consume spent it), so the client's retry succeeds. Never rejects.
 */
export async function releaseTicketEventually (
  store: Store, digest: string, consumeId: string, log: FastifyBaseLogger, delays: readonly number[] = RELEASE_RETRY_MS
): Promise<'released' | 'untouched' | 'left'> {
  const release = async () => await store.releaseTicket(digest, consumeId) ? 'released' as const : 'untouched' as const
  const outcome = await eventually(release, log, { consumeId }, 'give back a ticket', { delays }) as 'released' | 'untouched' | 'left'
  if (outcome === 'released') log.info({ event: 'ticket_released', consumeId }, 'ticket of a lost consume given back')
  return outcome
}
