/**
 * The key layout. A user's index and records share the hash tag `{u:…}`, so
 * the session scripts touch one slot; tickets and session lookups are single
 * keys. The user id is URI-encoded so its own braces cannot move the tag.
 */
export function redisKeys (prefix: string) {
  const user = (userId: string): string => `${prefix}{u:${encodeURIComponent(userId)}}`
  return {
    ticket: (digest: string) => `${prefix}t:${digest}`,
    session: (sessionId: string) => `${prefix}s:${sessionId}`,
    userIndex: (userId: string) => `${user(userId)}:sessions`,
    userRecords: (userId: string) => `${user(userId)}:records`,
    channel: `${prefix}events`
  }
}
