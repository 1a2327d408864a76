import { randomBytes } from 'node:crypto'
import type { SessionRecord } from '../../src/stores/types.js'

/** An ISO time `ms` from now (default an hour): a session's expiresAt that no test outlives. */
export const isoIn = (ms = 3_600_000): string => new Date(Date.now() + ms).toISOString()

export const newSessionId = (): string => `session_${randomBytes(16).toString('hex')}`

/** A session record as the connection stores it; fields override the defaults. */
export const sessionRecord = (fields: Partial<SessionRecord> = {}): SessionRecord => ({
  sessionId: newSessionId(),
  userId: 'alice',
  chatServerKey: 'UD21',
  authenticatedAt: new Date().toISOString(),
  expiresAt: isoIn(),
  ...fields
})
