import fp from 'fastify-plugin'
import type { WebSocket } from 'ws'
import { ERRORS } from '../src/protocol/errors.js'
import { serialize } from '../src/protocol/codec.js'
import type { SessionRecord, StoreEvent } from '../src/stores/types.js'

declare module 'fastify' {
  interface FastifyInstance {
    sessions: ReturnType<typeof createSessionRegistry>
  }
}

/**
 * The authenticated sockets this instance holds, by session and by user, and
 * the reactions to store events: a revocation closes the socket wherever it
 * is connected; a delivery reaches the user's or session's sockets.
 */
export function createSessionRegistry () {
  const bySession = new Map<string, WebSocket>()
  const byUser = new Map<string, Set<string>>()

  function write (sessionId: string, payload: string): void {
    const socket = bySession.get(sessionId)
    if (socket?.readyState === 1) socket.send(payload)
  }

  return {
    attach (record: SessionRecord, socket: WebSocket): void {
      bySession.set(record.sessionId, socket)
      const ids = byUser.get(record.userId) ?? new Set()
      byUser.set(record.userId, ids.add(record.sessionId))
    },

    detach (record: SessionRecord): void {
      bySession.delete(record.sessionId)
      const ids = byUser.get(record.userId)
      ids?.delete(record.sessionId)
      if (ids?.size === 0) byUser.delete(record.userId)
    },

    /** Ids of the sessions connected to this instance. */
    localSessionIds: () => [...bySession.keys()],

    onStoreEvent (event: StoreEvent): void {
      if (event.kind === 'revoke') {
        const socket = bySession.get(event.sessionId)
        if (socket === undefined) return
        write(event.sessionId, serialize({ type: 'session_revoked', timestamp: new Date().toISOString() }))
        socket.close(ERRORS.SESSION_REVOKED.close, ERRORS.SESSION_REVOKED.text)
        return
      }
      if (event.sessionId !== undefined) write(event.sessionId, event.payload)
      if (event.userId !== undefined) {
        for (const sessionId of byUser.get(event.userId) ?? []) write(sessionId, event.payload)
      }
    }
  }
}

/** Decorates `sessions`: this instance's live sessions, wired to the store's events. */
export default fp(async (fastify) => {
  const registry = createSessionRegistry()
  fastify.store.subscribe(event => { registry.onStoreEvent(event) })
  fastify.decorate('sessions', registry)
}, { name: 'session', dependencies: ['ticket-store'], fastify: '5.x' })
