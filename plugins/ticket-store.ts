import fp from 'fastify-plugin'
import { createStore, type Store } from '../src/stores/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
  }
}

export interface TicketStoreOptions {
  /** A store built by the caller (library mode, tests); otherwise one is made from the configuration. */
  store?: Store
}

/** Decorates `store`: the ticket and session store every route talks to, closed with the instance. */
export default fp<TicketStoreOptions>(async (fastify, opts) => {
  const store = opts.store ?? await createStore(fastify.config, fastify.log)
  fastify.decorate('store', store)
  fastify.addHook('onClose', async () => { await store.close() })
  fastify.log.info({ backend: store.backend }, 'ticket store ready')
}, { name: 'ticket-store', dependencies: ['config'], fastify: '5.x' })
