import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { sha256 } from '../src/crypto.js'
import { AppError } from '../src/protocol/errors.js'

const BEARER = /^Bearer +(\S+) *$/i

/** GET /metrics: Prometheus text, behind METRICS_TOKEN when one is set; absent unless ENABLE_METRICS. */
const metricsRoute: FastifyPluginAsync = async (fastify) => {
  const registry = fastify.metricsRegistry
  if (registry === undefined) return
  const token = fastify.config.metricsToken
  const expected = token === undefined ? undefined : sha256(token)

  fastify.get('/metrics', {
    schema: { summary: 'Prometheus metrics', tags: ['service'], security: expected === undefined ? [] : [{ bearer: [] }] },
    // Scrapes are frequent and carry nothing worth a log line per request.
    logLevel: 'warn',
    onRequest: async (request) => {
      if (expected === undefined) return
      const match = BEARER.exec(request.headers.authorization ?? '')
      if (match === null) throw new AppError('AUTH_MISSING')
      if (!timingSafeEqual(sha256(match[1]), expected)) throw new AppError('AUTH_INVALID')
    }
  }, async (_request, reply) => {
    const text = await registry.metrics()
    return reply.type(registry.contentType).send(text)
  })
}

export default metricsRoute
