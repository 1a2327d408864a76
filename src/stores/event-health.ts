import { randomUUID } from 'node:crypto'

/** How long a published event may take to come back before the event channel counts as down (§4). */
export const EVENT_ROUND_TRIP_MS = 1000

/** What travels on the event channel for a round trip; never handed to the store's listeners. */
export interface Probe { kind: 'probe', id: string }

/**
 * Round trips on one event channel, for the backends' `checkEvents`: a probe
 * with a fresh id is published and must come back through the subscription.
 * The channel's receive path hands every message to `receive` first.
 */
export function createProbes (timeoutMs = EVENT_ROUND_TRIP_MS) {
  const waiting = new Map<string, () => void>()
  return {
    /**
     * Publish a probe and wait for it. When the publish succeeded but nothing
     * came back, `lost` runs before the rejection: the subscription is gone
     * while its connection looks fine, and only a new connection brings it back.
     */
    async roundTrip (publish: (probe: Probe) => Promise<unknown>, lost: () => void): Promise<void> {
      const id = randomUUID()
      let published = false
      const back = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id)
          if (published) lost()
          reject(new Error(`an event published on the store's channel did not come back within ${timeoutMs} ms`))
        }, timeoutMs)
        waiting.set(id, () => { clearTimeout(timer); waiting.delete(id); resolve() })
      })
      // A failed publish must not leave the timer to reject a promise nobody awaits.
      back.catch(() => undefined)
      await publish({ kind: 'probe', id })
      published = true
      await back
    },

    /** True when `message` is a probe (ours resolves its round trip; another instance's is dropped). */
    receive (message: unknown): boolean {
      const probe = message as Partial<Probe> | null
      if (typeof probe !== 'object' || probe === null || probe.kind !== 'probe') return false
      waiting.get(String(probe.id))?.()
      return true
    }
  }
}

/**
 * A check run at most once at a time, its outcome reused for `ttlMs` after it
 * settles: a flood of health requests costs one round trip per interval.
 */
export function cachedCheck (check: () => Promise<void>, ttlMs = 1500): () => Promise<boolean> {
  let pending: Promise<boolean> | undefined
  let settledAt = -Infinity
  let last = false
  return async () => {
    if (pending !== undefined) return await pending
    if (performance.now() - settledAt < ttlMs) return last
    pending = check().then(() => true, () => false).then(up => {
      last = up
      settledAt = performance.now()
      pending = undefined
      return up
    })
    return await pending
  }
}
