import fp from 'fastify-plugin'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { resolveConfig, type ConfigOverrides } from './config.js'
import { fastifyTrustProxy } from './config/trust-proxy.js'
import type { Store } from './stores/types.js'
import type { MessageDefinition } from './ws/handlers.js'
import { AccessLogController, genReqId, loggerOptions } from './logging.js'
import configPlugin from '../plugins/config.js'
import metricsPlugin from '../plugins/metrics.js'
import { sendError } from './http/envelope.js'
import { clientErrorHandler } from './http/client-error.js'
import securityHeadersPlugin from '../plugins/security-headers.js'
import corsPlugin from '../plugins/cors.js'
import errorEnvelopePlugin from '../plugins/error-envelope.js'
import storePlugin from '../plugins/store.js'
import authPlugin from '../plugins/auth.js'
import sessionPlugin from '../plugins/session.js'
import deliveryPlugin from '../plugins/delivery.js'
import usersPlugin from '../plugins/users.js'
import shutdownPlugin from '../plugins/shutdown.js'
import websocketPlugin from '../plugins/websocket.js'
import docsPlugin from '../plugins/docs.js'
import ticketRoute from '../routes/ticket.js'
import sessionsRoute from '../routes/sessions.js'
import backendRoute from '../routes/backend.js'
import wsRoute from '../routes/ws.js'
import healthRoute from '../routes/health.js'
import demoRoute from '../routes/demo.js'
import consoleRoute from '../routes/console.js'
import metricsRoute from '../routes/metrics.js'

export { loggerOptions }

export interface AppOptions {
  /** `loadConfig(process.env)`, or any part of a configuration over the defaults (see resolveConfig). */
  config?: ConfigOverrides
  /** A store made by the caller; by default one is made from the configuration. */
  store?: Store
  /** Message handlers that replace the default echo or add message types. */
  messages?: readonly MessageDefinition<any>[]
  /** Where the built demo page is (default: this package's dist/demo). */
  demoAssetsDir?: string
  /** Where the built operator console is (default: this package's dist/console). */
  consoleAssetsDir?: string
  /** Answer unknown routes with the NOT_FOUND envelope (default true); false keeps a host app's own 404 handler. */
  notFoundHandler?: boolean
}

/** The whole service as one plugin, registered in dependency order; its decorators reach the host app. */
export const app = fp(async function wsTicketAuth (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  // Returns buildApp's (or loadConfig's) configuration as is: resolved once per app.
  const config = resolveConfig(opts.config)
  await fastify.register(configPlugin, { config })
  await fastify.register(metricsPlugin)
  await fastify.register(storePlugin, { store: opts.store })
  await fastify.register(authPlugin)
  await fastify.register(sessionPlugin)
  await fastify.register(deliveryPlugin)
  await fastify.register(usersPlugin)
  await fastify.register(shutdownPlugin)
  await fastify.register(websocketPlugin)
  // The HTTP surface in a scope of its own: its Helmet, CORS and error envelope stay off a host app's routes.
  await fastify.register(async function httpSurface (scope) {
    await scope.register(securityHeadersPlugin)
    await scope.register(corsPlugin)
    await scope.register(errorEnvelopePlugin, { notFoundHandler: opts.notFoundHandler })
    await scope.register(docsPlugin)
    await scope.register(ticketRoute)
    await scope.register(sessionsRoute)
    // Off (its routes unknown: 404) until BACKEND_API_KEYS names a key.
    if (config.backendApiKeys.length > 0) {
      await scope.register(backendRoute)
      await scope.register(consoleRoute, { assetsDir: opts.consoleAssetsDir })
    }
    await scope.register(wsRoute, { messages: opts.messages })
    await scope.register(healthRoute)
    await scope.register(metricsRoute)
    if (config.demoPage) await scope.register(demoRoute, { assetsDir: opts.demoAssetsDir })
  })
}, { name: 'ws-ticket-auth', fastify: '5.x' })

/** A Fastify instance running the service: what `npm start` and the tests both use. */
export async function buildApp (opts: AppOptions = {}, fastifyOptions: FastifyServerOptions = {}) {
  const config = resolveConfig(opts.config)
  const fastify = Fastify({
    logger: loggerOptions(config),
    logController: new AccessLogController(),
    trustProxy: fastifyTrustProxy(config.trustProxy),
    genReqId,
    // Requests arriving while draining get the protocol's envelope (SHUTTING_DOWN) from the shutdown plugin.
    return503OnClosing: false,
    bodyLimit: config.bodyLimitBytes,
    // Bodies are JSON or refused (415); text/plain is not a way in.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // A URL Fastify cannot decode never reaches the router: answer it in the envelope too.
    frameworkErrors: (_error, _request, reply) => { sendError(reply, 'BAD_REQUEST', 'Malformed URL') },
    clientErrorHandler,
    // Half-open requests (slowloris, upgrades included) are cut off; Node checks them every second at most.
    requestTimeout: config.requestTimeoutMs,
    // A user id of 255 characters, percent-encoded (up to 12 per character), is one path parameter.
    routerOptions: { maxParamLength: 4096 },
    http: {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs)
    },
    ...fastifyOptions
  }).withTypeProvider<TypeBoxTypeProvider>()
  fastify.removeContentTypeParser('text/plain')
  // The id every log line of the request carries, returned so a caller can quote it.
  fastify.addHook('onRequest', function requestIdHeader (request, reply, done) {
    reply.header('x-request-id', request.id)
    done()
  })
  await fastify.register(app, { ...opts, config })
  return fastify
}
