import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthResponseSchema } from '../src/protocol/http.js'
import { createUpstreamProbe } from '../src/upstream-probe.js'

const state = (up: boolean) => up ? 'up' as const : 'down' as const

/**
 * GET /health: 200 while the store answers, 503 otherwise (for load balancers and orchestrators);
 * in gateway mode `checks.upstream` too, which never turns the answer into a 503.
 */
const healthRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  const { upstream } = fastify.config
  const upstreamUp = upstream === undefined ? undefined : createUpstreamProbe(upstream.url)

  fastify.get('/health', {
    schema: {
      summary: 'Service and store health',
      tags: ['service'],
      response: { 200: HealthResponseSchema, 503: HealthResponseSchema }
    }
  }, async (_request, reply) => {
    const [up, upstreamState] = await Promise.all([
      fastify.store.ping().then(() => true, () => false),
      upstreamUp?.().then(state)
    ])
    return reply.code(up ? 200 : 503).send({
      status: up ? 'healthy' : 'unhealthy',
      timestamp: new Date().toISOString(),
      checks: { store: state(up), upstream: upstreamState }
    })
  })
}

export default healthRoute
