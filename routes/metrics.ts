import type { FastifyPluginAsync } from 'fastify'
import { AppError } from '../src/protocol/errors.js'
import { bearerToken, secretMatcher } from '../src/http/credentials.js'

/** GET /metrics: Prometheus text, behind METRICS_TOKEN when one is set; absent unless ENABLE_METRICS. */
const metricsRoute: FastifyPluginAsync = async (fastify) => {
  const registry = fastify.metricsRegistry
  if (registry === undefined) return
  const token = fastify.config.metricsToken
  const expected = token === undefined ? undefined : secretMatcher([token])

  fastify.get('/metrics', {
    schema: { summary: 'Prometheus metrics', tags: ['service'], security: expected === undefined ? [] : [{ bearer: [] }] },
    // Scrapes are frequent and carry nothing worth a log line per request.
    logLevel: 'warn',
    onRequest: async (request) => {
      if (expected === undefined) return
      const presented = bearerToken(request.headers.authorization)
      if (presented === undefined) throw new AppError('AUTH_MISSING')
      if (!expected(presented)) throw new AppError('AUTH_INVALID')
    }
  }, async (_request, reply) => {
    const text = await registry.metrics()
    return reply.type(registry.contentType).send(text)
  })
}

export default metricsRoute
