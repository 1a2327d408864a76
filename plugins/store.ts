import fp from 'fastify-plugin'
import fastifyRedis from '@fastify/redis'
import { createStore, type Store } from '../src/stores/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
  }
}

export interface StoreOptions {
  /** A store built by the caller (library mode, tests); otherwise one is made from the configuration. */
  store?: Store
}

/**
 * Decorates `store`: tickets, sessions, events and rate limits for every route,
 * closed with the instance. A connection the store shares becomes a decorator
 * of its library (`fastify.redis`) unless the host app registered its own.
 */
export default fp<StoreOptions>(async (fastify, opts) => {
  // Timed once here, whatever the backend, when metrics are on.
  const store = fastify.metrics.instrumentStore(opts.store ?? await createStore(fastify.config, fastify.log))
  fastify.decorate('store', store)
  fastify.addHook('onClose', async () => { await store.close() })
  const redis = store.shared?.redis
  // The store owns the client (closeClient stays false): one owner, one QUIT.
  if (redis !== undefined && !fastify.hasDecorator('redis')) await fastify.register(fastifyRedis, { client: redis })
  fastify.log.info({ backend: store.backend }, 'ticket store ready')
  // Named as before: the session and delivery plugins depend on it by this name.
}, { name: 'ticket-store', dependencies: ['config', 'metrics'], fastify: '5.x' })
