import { EventEmitter } from 'node:events'
import { STORE_DEFAULTS } from './defaults.js'
import {
  EXPIRED_TICKET_MEMORY_MS, StoreUnavailableError,
  type ConsumeOptions, type ConsumeResult, type Store, type StoreEvent, type TicketRecord
} from './types.js'
import { createMemorySessions } from './memory-sessions.js'

/** A redeemed ticket keeps only its expiry (to answer TICKET_USED until then), not its record. */
interface TicketEntry { expiresAt: number, record: TicketRecord | undefined }

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
  const events = new EventEmitter()
  let closed = false

  function assertOpen (): void {
    if (closed) throw new StoreUnavailableError('memory store is closed')
  }

  const sessions = createMemorySessions(assertOpen)

  function sweep (now = Date.now(), budget = opts.sweepBudget ?? 10_000): void {
    for (const [digest, entry] of tickets) {
      if (budget-- <= 0 || entry.expiresAt + EXPIRED_TICKET_MEMORY_MS > now) break
      tickets.delete(digest)
    }
    sessions.sweep(now, budget)
  }
  const sweeper = setInterval(sweep, opts.sweepIntervalMs ?? STORE_DEFAULTS.memorySweepIntervalMs).unref()

  return {
    ...sessions.methods,
    backend: 'memory',
    sweep,
    // One process, one count: the limiter's own in-process store.
    rateLimit: () => ({}),
    size: () => ({ tickets: tickets.size, ...sessions.size() }),

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
