import { EventEmitter } from 'node:events'
import type { WebSocket } from 'ws'
import type { FastifyBaseLogger } from 'fastify'
import { ERRORS } from '../protocol/errors.js'
import { serialize } from '../protocol/serializers.js'
import type { SessionRecord, StoreEvent } from '../stores/types.js'
import { sendBounded } from './backpressure.js'
import type { RemovalOutcome } from './cleanup.js'

/** How long, and how many, revocations of sessions not attached here are remembered. */
export const EARLY_REVOCATION_MS = 60_000
export const MAX_EARLY_REVOCATIONS = 10_000

/** Work of the pipeline that finishes after the frame or socket that caused it: for whoever must wait on it. */
export interface LiveSocketEvents {
  /** A session record's removal finished (`left`: given up to its TTL; `kept`: wanted again). */
  removal: [sessionId: string, outcome: RemovalOutcome]
  /** A socket's admission place was given back (its TCP socket closed). */
  released: []
}

export type LiveSockets = ReturnType<typeof createLiveSockets>

/**
 * The authenticated sockets this instance holds, by session and by user, and
 * the reactions to store events: a revocation closes the socket wherever it
 * is connected; a delivery reaches the user's or session's sockets.
 */
export function createLiveSockets (opts: { maxBufferedBytes: number, log: FastifyBaseLogger }) {
  const bySession = new Map<string, WebSocket>()
  const byUser = new Map<string, Set<string>>()
  // A revocation can overtake the authentication it revokes (the record was
  // stored, the socket not attached yet): remembered briefly, applied at attach.
  const revokedEarly = new Map<string, number>()

  function write (sessionId: string, payload: string): void {
    const socket = bySession.get(sessionId)
    if (socket?.readyState !== 1 || sendBounded(socket, payload, opts.maxBufferedBytes)) return
    opts.log.warn({ sessionId }, 'slow consumer: socket terminated')
  }

  function revoke (sessionId: string): void {
    const socket = bySession.get(sessionId)
    if (socket === undefined) {
      const now = Date.now()
      revokedEarly.set(sessionId, now)
      // Oldest first (insertion order): stop at the first entry that is both recent and within the cap.
      for (const [id, at] of revokedEarly) {
        if (at > now - EARLY_REVOCATION_MS && revokedEarly.size <= MAX_EARLY_REVOCATIONS) break
        revokedEarly.delete(id)
      }
      return
    }
    write(sessionId, serialize({ type: 'session_revoked', timestamp: new Date().toISOString() }))
    socket.close(ERRORS.SESSION_REVOKED.close, ERRORS.SESSION_REVOKED.text)
  }

  return {
    events: new EventEmitter<LiveSocketEvents>(),

    attach (record: SessionRecord, socket: WebSocket): void {
      bySession.set(record.sessionId, socket)
      const ids = byUser.get(record.userId) ?? new Set()
      byUser.set(record.userId, ids.add(record.sessionId))
      if (revokedEarly.delete(record.sessionId)) revoke(record.sessionId)
    },

    detach (record: SessionRecord): void {
      bySession.delete(record.sessionId)
      const ids = byUser.get(record.userId)
      ids?.delete(record.sessionId)
      if (ids?.size === 0) byUser.delete(record.userId)
    },

    /** Ids of the sessions connected to this instance. */
    localSessionIds: () => [...bySession.keys()],

    /** How many authenticated sockets this instance holds. */
    count: () => bySession.size,

    onStoreEvent (event: StoreEvent): void {
      if (event.kind === 'revoke') {
        revoke(event.sessionId)
        return
      }
      if (event.sessionId !== undefined) write(event.sessionId, event.payload)
      if (event.userId !== undefined) {
        for (const sessionId of byUser.get(event.userId) ?? []) write(sessionId, event.payload)
      }
    }
  }
}
