import type { Store } from '../stores/types.js'

/**
 * Live sessions per user, counted from the store's per-user index in one batch
 * (one store round trip for up to 100 ids), never a scan. Ids asked twice are counted once.
 */
export async function presence (store: Store, userIds: readonly string[]): Promise<Record<string, number>> {
  const distinct = [...new Set(userIds)]
  const counts = await store.countUserSessions(distinct)
  return Object.fromEntries(distinct.map((userId, i) => [userId, counts[i]]))
}
