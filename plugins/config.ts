import fp from 'fastify-plugin'
import type { AppConfig } from '../src/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig
  }
}

/** Decorates `config`: the checked environment every other plugin reads. */
export default fp<{ config: AppConfig }>(async (fastify, opts) => {
  fastify.decorate('config', opts.config)
}, { name: 'config', fastify: '5.x' })
