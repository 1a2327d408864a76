import fp from 'fastify-plugin'
import { serialize } from '../src/protocol/serializers.js'
import type { OutgoingMessage } from '../src/ws/handlers.js'

type Send = <M extends { type: string }>(to: string, message: OutgoingMessage<M>) => Promise<void>

declare module 'fastify' {
  interface FastifyInstance {
    /** Send a message to every authenticated socket of a user, on every instance sharing the store. */
    sendToUser: Send
    /** Send a message to one session's socket, on whichever instance holds it. */
    sendToSession: Send
  }
}

/**
 * Decorates `sendToUser` and `sendToSession`: messages go out through the
 * store's pub/sub as `deliver` events, so they reach sockets on every
 * instance (the session plugin writes them to its local sockets).
 */
export default fp(async (fastify) => {
  const { store } = fastify
  const payload = (message: { type: string }): string => {
    const stamped = { ...message, timestamp: new Date().toISOString() }
    return serialize(stamped)
  }

  fastify.decorate<Send>('sendToUser', async (userId, message) => {
    await store.publish({ kind: 'deliver', userId, payload: payload(message) })
  })
  fastify.decorate<Send>('sendToSession', async (sessionId, message) => {
    await store.publish({ kind: 'deliver', sessionId, payload: payload(message) })
  })
}, { name: 'delivery', dependencies: ['ticket-store', 'session'], fastify: '5.x' })
