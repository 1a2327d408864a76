import type { Store } from '../stores/types.js'

export interface RevokeOptions {
  /** What `session_revoked` tells the client: true lets it reconnect (default false). */
  reconnect?: boolean
}

/**
 * Revoke one session: its record goes, and every instance is told to close its
 * socket (4007). True when the record existed. The event goes out either way:
 * a socket whose record is already gone must not stay open.
 */
export async function revokeSession (store: Store, sessionId: string, { reconnect = false }: RevokeOptions = {}): Promise<boolean> {
  const removed = await store.removeSession(sessionId)
  await store.publish({ kind: 'revoke', sessionId, reconnect })
  return removed
}

/**
 * Revoke every live session of a user, on every instance sharing the store
 * (the backend API's revoke-user, the user's "log out everywhere", library
 * mode's `revokeUser`). Returns how many records it removed.
 */
export async function revokeUserSessions (store: Store, userId: string, options: RevokeOptions = {}): Promise<number> {
  const sessions = await store.listSessions(userId)
  const removed = await Promise.all(sessions.map(async ({ sessionId }) => await revokeSession(store, sessionId, options)))
  return removed.filter(Boolean).length
}
