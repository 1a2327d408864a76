import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthResponseSchema } from '../src/protocol/http.js'

/** GET /health: 200 while the store answers, 503 otherwise (for load balancers and orchestrators). */
const healthRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/health', {
    schema: {
      summary: 'Service and store health',
      tags: ['service'],
      response: { 200: HealthResponseSchema, 503: HealthResponseSchema }
    }
  }, async (_request, reply) => {
    const up = await fastify.store.ping().then(() => true, () => false)
    return reply.code(up ? 200 : 503).send({
      status: up ? 'healthy' : 'unhealthy',
      timestamp: new Date().toISOString(),
      checks: { store: up ? 'up' : 'down' }
    })
  })
}

export default healthRoute
