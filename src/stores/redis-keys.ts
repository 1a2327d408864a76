import type { UserKeys } from './redis-scripts.js'

/**
 * The key layout. A user's index, records and bounds share the hash tag `{u:…}`,
 * so the session scripts touch one slot; tickets and session lookups are single
 * keys. The user id is URI-encoded so its own braces cannot move the tag.
 */
export function redisKeys (prefix: string) {
  // The consume script that opens a session builds the same tag (redis-scripts.ts, OPEN_SESSION).
  const userPrefix = `${prefix}{u:`
  const tag = (userId: string): string => `${userPrefix}${encodeURIComponent(userId)}}`
  return {
    userPrefix,
    ticket: (digest: string) => `${prefix}t:${digest}`,
    session: (sessionId: string) => `${prefix}s:${sessionId}`,
    user: (userId: string): UserKeys => ['sessions', 'records', 'bounds'].map(name => `${tag(userId)}:${name}`) as UserKeys,
    channel: `${prefix}events`
  }
}
