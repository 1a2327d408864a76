import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { createPromMetrics, noopMetrics, type Metrics } from '../src/metrics.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics
    /** The Prometheus registry behind GET /metrics; undefined when ENABLE_METRICS is off. */
    metricsRegistry: Registry | undefined
  }
}

const TICKET_ROUTE = '/api/websocket/ticket'
const ENVELOPE_CODE = /"code":"([A-Z_]+)"/

/**
 * Decorates `metrics`: the one seam the core reports through (a no-op unless
 * ENABLE_METRICS). HTTP outcomes are read here from the envelopes the routes
 * send, so no route counts anything itself.
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
    // Every failure is the protocol envelope, serialised by now: its code is read back, not recomputed.
    const code = failed ? ENVELOPE_CODE.exec(String(payload))?.[1] ?? 'UNKNOWN' : 'OK'
    if (request.routeOptions.url === TICKET_ROUTE) metrics.ticket(code)
    else if (failed) metrics.httpError(code)
    return payload
  })
  fastify.addHook('onClose', async () => { registry.clear() })
}, { name: 'metrics', dependencies: ['config'], fastify: '5.x' })
