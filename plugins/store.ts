import fp from 'fastify-plugin'
import fastifyRedis from '@fastify/redis'
import { createStore, type Store } from '../src/stores/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
  }
}

export interface StoreOptions {
  // Built by the caller (library mode, tests); otherwise from the configuration.
  store?: Store
}

/** Decorates `store` (closed with the instance), and `redis` when the store shares one and the host has none. */
export default fp<StoreOptions>(async (fastify, opts) => {
  const store = fastify.metrics.instrumentStore(opts.store ?? await createStore(fastify.config, fastify.log))
  fastify.decorate('store', store)
  fastify.addHook('onClose', async () => { await store.close() })
  const redis = store.shared?.redis
  // The store owns the client (closeClient stays false): one owner, one QUIT.
  if (redis !== undefined && !fastify.hasDecorator('redis')) await fastify.register(fastifyRedis, { client: redis })
  fastify.log.info({ backend: store.backend }, 'ticket store ready')
}, { name: 'ticket-store', dependencies: ['config', 'metrics'], fastify: '5.x' })
