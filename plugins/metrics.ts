import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { createPromMetrics, noopMetrics, type Metrics } from '../src/metrics.js'
import { sentErrorCode } from '../src/http/envelope.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics
    /** The Prometheus registry behind GET /metrics; undefined when ENABLE_METRICS is off. */
    metricsRegistry: Registry | undefined
  }
  interface FastifyContextConfig {
    /** Every outcome of the route (success included) is counted under this name, not only its failures. */
    metricsLabel?: 'ticket'
  }
}

/**
 * Decorates `metrics`: the one seam the core reports through (a no-op unless
 * ENABLE_METRICS). HTTP outcomes are read here from the envelopes sent
 * (`sendError`), so no route counts anything itself.
 */
export default fp(async (fastify) => {
  if (!fastify.config.enableMetrics) {
    fastify.decorate('metrics', noopMetrics)
    fastify.decorate('metricsRegistry', undefined)
    return
  }
  const { registry, metrics } = createPromMetrics({
    // Read at scrape time, when the websocket and session plugins are loaded.
    connections: () => fastify.websocketServer.clients.size,
    sessions: () => fastify.liveSockets.localSessionIds().length
  })
  fastify.decorate('metrics', metrics)
  fastify.decorate('metricsRegistry', registry)

  fastify.addHook('onSend', async (request, reply, payload) => {
    const failed = reply.statusCode >= 400
    const code = failed ? sentErrorCode(reply) ?? 'UNKNOWN' : 'OK'
    if (request.routeOptions.config.metricsLabel === 'ticket') metrics.ticket(code)
    else if (failed) metrics.httpError(code)
    return payload
  })
  fastify.addHook('onClose', async () => { registry.clear() })
}, { name: 'metrics', dependencies: ['config'], fastify: '5.x' })
