import { EventEmitter } from 'node:events'
import { STORE_DEFAULTS } from './defaults.js'
import {
  EXPIRED_TICKET_MEMORY_MS, StoreUnavailableError,
  type ConsumeOptions, type ConsumeResult, type SessionRecord, type Store, type StoreEvent, type TicketRecord
} from './types.js'

/** A redeemed ticket keeps only its expiry (to answer TICKET_USED until then), not its record. */
interface TicketEntry { expiresAt: number, record: TicketRecord | undefined }
interface SessionEntry { record: SessionRecord, expiresAt: number }

export interface MemoryStoreOptions {
  /** How often the sweeper runs, in ms. */
  sweepIntervalMs?: number
  /** The most entries one sweep looks at, so a sweep never blocks the loop for long. */
  sweepBudget?: number
}

/**
 * The in-process store: one instance's tickets and sessions in Maps. Expired
 * entries are dropped lazily on access and by one bounded, unref'd sweeper
 * (no timer per entry). Maps keep insertion order and every ticket of a
 * process has the same lifetime, so the oldest entries are swept first.
 */
export interface MemoryStore extends Store {
  backend: 'memory'
  /** Drop expired entries now (the sweeper calls this on its interval). */
  sweep: (now?: number, budget?: number) => void
  /** Entries held right now, for tests and metrics. */
  size: () => { tickets: number, sessions: number, users: number }
}

export function createMemoryStore (opts: MemoryStoreOptions = {}): MemoryStore {
  const tickets = new Map<string, TicketEntry>()
  const sessions = new Map<string, SessionEntry>()
  const byUser = new Map<string, Set<string>>()
  const events = new EventEmitter()
  let closed = false

  function assertOpen (): void {
    if (closed) throw new StoreUnavailableError('memory store is closed')
  }

  function dropSession (sessionId: string, entry: SessionEntry): void {
    sessions.delete(sessionId)
    const set = byUser.get(entry.record.userId)
    set?.delete(sessionId)
    if (set?.size === 0) byUser.delete(entry.record.userId)
  }

  function liveSession (sessionId: string, now = Date.now()): SessionEntry | undefined {
    const entry = sessions.get(sessionId)
    if (entry === undefined || entry.expiresAt > now) return entry
    dropSession(sessionId, entry)
    return undefined
  }

  function sweep (now = Date.now(), budget = opts.sweepBudget ?? 10_000): void {
    for (const [digest, entry] of tickets) {
      if (budget-- <= 0 || entry.expiresAt + EXPIRED_TICKET_MEMORY_MS > now) break
      tickets.delete(digest)
    }
    for (const [sessionId, entry] of sessions) {
      if (budget-- <= 0) break
      if (entry.expiresAt <= now) dropSession(sessionId, entry)
    }
  }
  const sweeper = setInterval(sweep, opts.sweepIntervalMs ?? STORE_DEFAULTS.memorySweepIntervalMs).unref()

  return {
    backend: 'memory',
    sweep,
    // One process, one count: the limiter's own in-process store.
    rateLimit: () => ({}),
    size: () => ({ tickets: tickets.size, sessions: sessions.size, users: byUser.size }),

    async issueTicket (digest: string, record: TicketRecord): Promise<void> {
      assertOpen()
      tickets.set(digest, { expiresAt: record.expiresAt, record })
    },

    async consumeTicket (digest: string, opts: ConsumeOptions = {}): Promise<ConsumeResult> {
      assertOpen()
      const entry = tickets.get(digest)
      const now = Date.now()
      if (entry === undefined) return { status: 'unknown' }
      if (entry.expiresAt <= now) {
        if (entry.expiresAt + EXPIRED_TICKET_MEMORY_MS > now) return { status: 'expired' }
        tickets.delete(digest)
        return { status: 'unknown' }
      }
      const ticket = entry.record
      if (ticket === undefined) return { status: 'used' }
      if (opts.clientIp !== undefined && ticket.clientIp !== opts.clientIp) return { status: 'ip_mismatch' }
      // Marked in the same tick it was read: nothing can interleave, so one caller wins.
      // The record is let go: with the default 2 h lifetime it would outlive most sockets (~0.2 KB each).
      entry.record = undefined
      return { status: 'ok', ticket }
    },

    // A consume here either answers or throws before it reads anything: no reply is ever lost, nothing to give back.
    async releaseTicket (): Promise<boolean> {
      assertOpen()
      return false
    },

    async createSession (record: SessionRecord, ttlSeconds: number, maxPerUser: number): Promise<boolean> {
      assertOpen()
      const now = Date.now()
      const ids = byUser.get(record.userId) ?? new Set<string>()
      for (const id of ids) liveSession(id, now)
      if (ids.size >= maxPerUser) return false
      ids.add(record.sessionId)
      byUser.set(record.userId, ids)
      sessions.set(record.sessionId, { record, expiresAt: now + ttlSeconds * 1000 })
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

    async publish (event: StoreEvent): Promise<void> {
      assertOpen()
      events.emit('event', event)
    },

    subscribe (listener: (event: StoreEvent) => void): void {
      events.on('event', listener)
    },

    async ping (): Promise<void> {
      assertOpen()
    },

    // In process an event cannot be lost: the channel is up while the store is.
    async checkEvents (): Promise<void> {
      assertOpen()
    },

    async close (): Promise<void> {
      closed = true
      clearInterval(sweeper)
      events.removeAllListeners()
    }
  }
}
