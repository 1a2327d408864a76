import type { Store } from '../stores/types.js'

/**
 * Live sessions per user, read from the store's per-user index: one listing per
 * distinct id, never a scan. Ids asked twice are counted once.
 */
export async function presence (store: Store, userIds: readonly string[]): Promise<Record<string, number>> {
  const distinct = [...new Set(userIds)]
  const counts = await Promise.all(distinct.map(async userId => (await store.listSessions(userId)).length))
  return Object.fromEntries(distinct.map((userId, i) => [userId, counts[i]]))
}
