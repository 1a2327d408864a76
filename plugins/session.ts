import fp from 'fastify-plugin'
import { renewLeasesEvery } from '../src/ws/leases.js'
import { createLiveSockets, type LiveSockets } from '../src/ws/live-sockets.js'

declare module 'fastify' {
  interface FastifyInstance {
    liveSockets: LiveSockets
  }
}

/**
 * Decorates `liveSockets`: this instance's authenticated sockets, wired to the
 * store's events, with the instance's one expiry timer and one lease-renewal loop.
 */
export default fp(async (fastify) => {
  const { config, store } = fastify
  const liveSockets = createLiveSockets({ maxBufferedBytes: config.maxBufferedBytes, log: fastify.log })
  store.subscribe(event => { liveSockets.onStoreEvent(event) })
  const stopRenewal = renewLeasesEvery(store, liveSockets, config.sessionLeaseSeconds * 1000, fastify.log)
  fastify.addHook('onClose', async () => {
    stopRenewal()
    liveSockets.deadlines.stop()
  })
  fastify.decorate('liveSockets', liveSockets)
}, { name: 'session', dependencies: ['ticket-store'], fastify: '5.x' })
