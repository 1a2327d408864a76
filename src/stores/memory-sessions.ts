import type { SessionOptions, SessionRecord } from './types.js'

/** Epoch ms: the session is live while now < min(expiresAt, leaseUntil). */
interface SessionEntry { record: SessionRecord, expiresAt: number, leaseUntil: number }
const liveUntil = (entry: SessionEntry): number => Math.min(entry.expiresAt, entry.leaseUntil)

/**
 * The memory store's sessions: records by id and ids by user. An entry past its
 * expiry or lease is dropped when it is next looked at, or by the store's sweeper.
 */
export function createMemorySessions (assertOpen: () => void) {
  const sessions = new Map<string, SessionEntry>()
  const byUser = new Map<string, Set<string>>()

  function dropSession (sessionId: string, entry: SessionEntry): void {
    sessions.delete(sessionId)
    const set = byUser.get(entry.record.userId)
    set?.delete(sessionId)
    if (set?.size === 0) byUser.delete(entry.record.userId)
  }

  function liveSession (sessionId: string, now = Date.now()): SessionEntry | undefined {
    const entry = sessions.get(sessionId)
    if (entry === undefined || liveUntil(entry) > now) return entry
    dropSession(sessionId, entry)
    return undefined
  }

  /** Drops ended entries, looking at no more than `budget` of them; the oldest first. */
  function sweep (now: number, budget: number): void {
    for (const [sessionId, entry] of sessions) {
      if (budget-- <= 0) break
      if (liveUntil(entry) <= now) dropSession(sessionId, entry)
    }
  }

  const methods = {
    async createSession (record: SessionRecord, { maxPerUser, leaseMs }: SessionOptions): Promise<boolean> {
      assertOpen()
      const now = Date.now()
      const ids = byUser.get(record.userId) ?? new Set<string>()
      for (const id of ids) liveSession(id, now)
      if (ids.size >= maxPerUser) return false
      ids.add(record.sessionId)
      byUser.set(record.userId, ids)
      sessions.set(record.sessionId, { record, expiresAt: Date.parse(record.expiresAt), leaseUntil: now + leaseMs })
      return true
    },

    async renewLeases (sessionIds: readonly string[], leaseMs: number): Promise<string[]> {
      assertOpen()
      const now = Date.now()
      return sessionIds.filter(id => {
        const entry = liveSession(id, now)
        if (entry !== undefined) entry.leaseUntil = now + leaseMs
        return entry === undefined
      })
    },

    async updateSessionExpiry (sessionId: string, expiresAt: string): Promise<boolean> {
      assertOpen()
      const entry = liveSession(sessionId)
      if (entry === undefined) return false
      // A new object: whoever holds the old record (the connection) is not changed under its feet.
      entry.record = { ...entry.record, expiresAt }
      entry.expiresAt = Date.parse(expiresAt)
      return true
    },

    async getSession (sessionId: string): Promise<SessionRecord | undefined> {
      assertOpen()
      return liveSession(sessionId)?.record
    },

    async removeSession (sessionId: string): Promise<boolean> {
      assertOpen()
      const entry = liveSession(sessionId)
      if (entry === undefined) return false
      dropSession(sessionId, entry)
      return true
    },

    async listSessions (userId: string): Promise<SessionRecord[]> {
      assertOpen()
      const now = Date.now()
      const ids = [...byUser.get(userId) ?? []]
      return ids.map(id => liveSession(id, now)?.record).filter(r => r !== undefined)
    },

    async countUserSessions (userIds: readonly string[]): Promise<number[]> {
      assertOpen()
      const now = Date.now()
      return userIds.map(userId => [...byUser.get(userId) ?? []].filter(id => liveSession(id, now) !== undefined).length)
    },

  }
  return { methods, sweep, size: () => ({ sessions: sessions.size, users: byUser.size }) }
}
