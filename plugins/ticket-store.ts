import fp from 'fastify-plugin'
import fastifyRedis from '@fastify/redis'
import { createStore, isRedisStore, type Store } from '../src/stores/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
  }
}

export interface TicketStoreOptions {
  /** A store built by the caller (library mode, tests); otherwise one is made from the configuration. */
  store?: Store
}

/**
 * Decorates `store`: the ticket and session store every route talks to,
 * closed with the instance. With Redis, the store's client is also
 * `fastify.redis` (@fastify/redis) unless the host app registered its own.
 */
export default fp<TicketStoreOptions>(async (fastify, opts) => {
  // Timed once here, whatever the backend, when metrics are on.
  const store = fastify.metrics.instrumentStore(opts.store ?? await createStore(fastify.config, fastify.log))
  fastify.decorate('store', store)
  fastify.addHook('onClose', async () => { await store.close() })
  // The store owns the client (closeClient stays false): one owner, one QUIT.
  if (isRedisStore(store) && !fastify.hasDecorator('redis')) await fastify.register(fastifyRedis, { client: store.client })
  fastify.log.info({ backend: store.backend }, 'ticket store ready')
}, { name: 'ticket-store', dependencies: ['config', 'metrics'], fastify: '5.x' })
