import type { UserKeys } from './redis-scripts.js'

/**
 * The key layout. A user's index, records and bounds share the hash tag `{u:…}`,
 * so the session scripts touch one slot; tickets and session lookups are single
 * keys. The user id is URI-encoded so its own braces cannot move the tag.
 */
export function redisKeys (prefix: string) {
  const tag = (userId: string): string => `${prefix}{u:${encodeURIComponent(userId)}}`
  return {
    ticket: (digest: string) => `${prefix}t:${digest}`,
    session: (sessionId: string) => `${prefix}s:${sessionId}`,
    user: (userId: string): UserKeys => ['sessions', 'records', 'bounds'].map(name => `${tag(userId)}:${name}`) as UserKeys,
    channel: `${prefix}events`
  }
}
