import { EventEmitter } from 'node:events'
import type { WebSocket } from 'ws'
import type { FastifyBaseLogger } from 'fastify'
import { ERRORS } from '../protocol/errors.js'
import { serialize } from '../protocol/serializers.js'
import type { SessionRecord, StoreEvent } from '../stores/types.js'
import { sendBounded } from './backpressure.js'
import type { RemovalOutcome } from './cleanup.js'
import { Deadlines, type Timed } from './deadlines.js'

/** How long, and how many, revocations of sessions not attached here are remembered. */
export const EARLY_REVOCATION_MS = 60_000
export const MAX_EARLY_REVOCATIONS = 10_000

/** Work that finishes after the socket that caused it is gone: reported, so nobody has to guess when. */
export interface LiveSocketEvents {
  removal: [sessionId: string, outcome: RemovalOutcome]
  /** An admission place came back (a TCP socket closed). */
  released: []
  /** A session was sent `session_expiring`, `session_expired` (then closed 4016), or `session_refreshed`. */
  expiring: [sessionId: string]
  expired: [sessionId: string]
  refreshed: [sessionId: string, expiresAt: string]
  /** One lease renewal of every live session finished: how many, and the error when the store failed. */
  renewal: [count: number, error?: unknown]
}

export type LiveSockets = ReturnType<typeof createLiveSockets>

/**
 * This instance's authenticated sockets, by session and user, where store
 * events (revocations, deliveries) land, and the one timer of their expiries.
 */
export function createLiveSockets (opts: { maxBufferedBytes: number, log: FastifyBaseLogger }) {
  const bySession = new Map<string, WebSocket>()
  // A user's one session id as itself, several as a Set: most users have one socket, and an empty
  // Set with its table is ~0.15 KB per idle socket (docs/benchmarks.md).
  const byUser = new Map<string, string | Set<string>>()
  // A revocation can overtake its authentication (record stored, socket not attached yet): applied at attach.
  const revokedEarly = new Map<string, { at: number, reconnect: boolean }>()

  function write (sessionId: string, payload: string): void {
    const socket = bySession.get(sessionId)
    if (socket?.readyState !== 1 || sendBounded(socket, payload, opts.maxBufferedBytes)) return
    opts.log.warn({ sessionId }, 'slow consumer: socket terminated')
  }

  function revoke (sessionId: string, reconnect: boolean): void {
    const socket = bySession.get(sessionId)
    if (socket === undefined) {
      const now = Date.now()
      revokedEarly.set(sessionId, { at: now, reconnect })
      for (const [id, { at }] of revokedEarly) {
        if (at > now - EARLY_REVOCATION_MS && revokedEarly.size <= MAX_EARLY_REVOCATIONS) break
        revokedEarly.delete(id)
      }
      return
    }
    write(sessionId, serialize({ type: 'session_revoked', reconnect, timestamp: new Date().toISOString() }))
    socket.close(ERRORS.SESSION_REVOKED.close, ERRORS.SESSION_REVOKED.text)
  }

  return {
    events: new EventEmitter<LiveSocketEvents>(),
    /** Every session's next notice or expiry, on one timer for the instance. */
    deadlines: new Deadlines<Timed>(),

    attach (record: SessionRecord, socket: WebSocket): void {
      bySession.set(record.sessionId, socket)
      const ids = byUser.get(record.userId)
      if (ids === undefined) byUser.set(record.userId, record.sessionId)
      else if (typeof ids === 'string') byUser.set(record.userId, new Set([ids, record.sessionId]))
      else ids.add(record.sessionId)
      const early = revokedEarly.get(record.sessionId)
      if (early === undefined) return
      revokedEarly.delete(record.sessionId)
      revoke(record.sessionId, early.reconnect)
    },

    detach (record: SessionRecord): void {
      bySession.delete(record.sessionId)
      const ids = byUser.get(record.userId)
      if (ids === record.sessionId || (typeof ids === 'object' && ids.delete(record.sessionId) && ids.size === 0)) byUser.delete(record.userId)
    },

    localSessionIds: () => [...bySession.keys()],

    /** Sessions the store lost while their sockets are open here: closed as revoked, free to reconnect. */
    lapsed (sessionIds: readonly string[]): void {
      for (const id of sessionIds) if (bySession.has(id)) revoke(id, true)
    },

    count: () => bySession.size,

    onStoreEvent (event: StoreEvent): void {
      if (event.kind === 'revoke') {
        revoke(event.sessionId, event.reconnect === true)
        return
      }
      if (event.sessionId !== undefined) write(event.sessionId, event.payload)
      if (event.userId !== undefined) {
        const ids = byUser.get(event.userId)
        if (typeof ids === 'string') write(ids, event.payload)
        else for (const sessionId of ids ?? []) write(sessionId, event.payload)
      }
    }
  }
}
