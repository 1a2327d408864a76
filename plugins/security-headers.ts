import fp from 'fastify-plugin'
import { SECURITY_HEADERS } from '../src/security-headers.js'

/** Helmet's default headers on every response of the scope, from one frozen object (docs/benchmarks.md). */
export default fp(async (fastify) => {
  // Synchronous: a hook that returns no promise costs no microtask turn.
  fastify.addHook('onRequest', function securityHeaders (_request, reply, done) {
    reply.headers(SECURITY_HEADERS)
    done()
  })
}, { name: 'security-headers', fastify: '5.x' })
