export interface ExpiryInputs {
  /** When the session starts or is refreshed (epoch ms). */
  now: number
  /** SESSION_TTL_SECONDS */
  ttlSeconds: number
  /** The `exp` of the user JWT the ticket came from (epoch ms), when it had one. */
  tokenExpiresAt?: number
  /** SESSION_FOLLOWS_TOKEN_EXPIRY */
  followsTokenExpiry: boolean
}

/**
 * A session's `expiresAt` (epoch ms, PROTOCOL.md §3): the earlier of `now + ttlSeconds`
 * and the token's expiry, unless the session does not follow the token. Used at
 * authentication (now = authenticatedAt) and at refresh (now = the refresh time,
 * tokenExpiresAt from the new ticket).
 */
export function sessionExpiry ({ now, ttlSeconds, tokenExpiresAt, followsTokenExpiry }: ExpiryInputs): number {
  const byTtl = now + ttlSeconds * 1000
  return followsTokenExpiry && tokenExpiresAt !== undefined ? Math.min(byTtl, tokenExpiresAt) : byTtl
}
