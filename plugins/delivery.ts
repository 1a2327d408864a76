import fp from 'fastify-plugin'
import { deliveryFrame } from '../src/sessions/deliver.js'
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
 * Decorates `sendToUser` and `sendToSession` (the backend API's push routes
 * call them too): messages go out through the store's pub/sub as `deliver`
 * events, so they reach sockets on every instance (the session plugin writes
 * them to its local sockets), at most once.
 */
export default fp(async (fastify) => {
  const { store } = fastify

  fastify.decorate<Send>('sendToUser', async (userId, message) => {
    await store.publish({ kind: 'deliver', userId, payload: deliveryFrame(message) })
  })
  fastify.decorate<Send>('sendToSession', async (sessionId, message) => {
    await store.publish({ kind: 'deliver', sessionId, payload: deliveryFrame(message) })
  })
}, { name: 'delivery', dependencies: ['ticket-store', 'session'], fastify: '5.x' })
