import fp from 'fastify-plugin'
import { createLiveSockets, type LiveSockets } from '../src/ws/live-sockets.js'

declare module 'fastify' {
  interface FastifyInstance {
    liveSockets: LiveSockets
  }
}

/** Decorates `liveSockets`: this instance's authenticated sockets, wired to the store's events. */
export default fp(async (fastify) => {
  const liveSockets = createLiveSockets({ maxBufferedBytes: fastify.config.maxBufferedBytes, log: fastify.log })
  fastify.store.subscribe(event => { liveSockets.onStoreEvent(event) })
  fastify.decorate('liveSockets', liveSockets)
}, { name: 'session', dependencies: ['ticket-store'], fastify: '5.x' })
