import fp from 'fastify-plugin'
import type { Registry } from 'prom-client'
import { createPromMetrics, noopMetrics, type Metrics } from '../src/metrics.js'
import { sentErrorCode } from '../src/http/envelope.js'
import { createAuthWindow, type AuthWindow } from '../src/auth-window.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics
    /** The Prometheus registry behind GET /metrics; undefined when ENABLE_METRICS is off. */
    metricsRegistry: Registry | undefined
    /** Authentications of the last minute on this instance, kept with or without ENABLE_METRICS (GET /api/websocket/stats). */
    authWindow: AuthWindow
  }
  interface FastifyContextConfig {
    /** Every outcome of the route (success included) is counted under this name, not only its failures. */
    metricsLabel?: 'ticket'
  }
}

/**
 * Decorates `metrics` and `authWindow`. `metrics` is the one seam the core reports through (prom-client's part a no-op unless
 * ENABLE_METRICS). HTTP outcomes are read here from the envelopes sent
 * (`sendError`), so no route counts anything itself.
 */
export default fp(async (fastify) => {
  const authWindow = createAuthWindow()
  fastify.decorate('authWindow', authWindow)
  // Every authentication outcome also lands in the one-minute window, metrics on or off.
  const withWindow = (metrics: Metrics): Metrics => ({
    ...metrics,
    wsAuthentication (method, code, seconds) {
      authWindow.record(code)
      metrics.wsAuthentication(method, code, seconds)
    }
  })
  if (!fastify.config.enableMetrics) {
    fastify.decorate('metrics', withWindow(noopMetrics))
    fastify.decorate('metricsRegistry', undefined)
    return
  }
  const { registry, metrics } = createPromMetrics({
    // Read at scrape time, when the websocket and session plugins are loaded.
    connections: () => fastify.websocketServer.clients.size,
    sessions: () => fastify.liveSockets.localSessionIds().length
  })
  fastify.decorate('metrics', withWindow(metrics))
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
