import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthResponseSchema } from '../src/protocol/http.js'
import { cachedCheck } from '../src/stores/index.js'

const state = (up: boolean) => up ? 'up' as const : 'down' as const

/**
 * GET /health: 200 while the store answers and its event channel carries
 * events (revocations travel on it), 503 otherwise, for load balancers and
 * orchestrators. The event round trip is shared by concurrent requests and
 * reused briefly, so a flood of health checks costs Redis nothing more.
 */
const healthRoute: FastifyPluginAsyncTypebox = async (fastify) => {
  const eventsUp = cachedCheck(async () => { await fastify.store.checkEvents() })
  fastify.get('/health', {
    schema: {
      summary: 'Service, store and event channel health',
      tags: ['service'],
      response: { 200: HealthResponseSchema, 503: HealthResponseSchema }
    }
  }, async (_request, reply) => {
    const [store, events] = await Promise.all([fastify.store.ping().then(() => true, () => false), eventsUp()])
    return reply.code(store && events ? 200 : 503).send({
      status: store && events ? 'healthy' : 'unhealthy',
      timestamp: new Date().toISOString(),
      checks: { store: state(store), events: state(events) }
    })
  })
}

export default healthRoute
