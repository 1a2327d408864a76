import fp from 'fastify-plugin'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import pino from 'pino'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { AppConfig } from './config.js'
import type { Store } from './stores/types.js'
import type { MessageDefinition } from './ws/handlers.js'
import configPlugin from '../plugins/config.js'
import securityPlugin, { sendError } from '../plugins/security.js'
import ticketStorePlugin from '../plugins/ticket-store.js'
import authPlugin from '../plugins/auth.js'
import sessionPlugin from '../plugins/session.js'
import websocketPlugin from '../plugins/websocket.js'
import docsPlugin from '../plugins/docs.js'
import ticketRoute from '../routes/ticket.js'
import sessionsRoute from '../routes/sessions.js'
import wsRoute from '../routes/ws.js'
import healthRoute from '../routes/health.js'

export interface AppOptions {
  config: AppConfig
  /** A store made by the caller; by default one is made from the configuration. */
  store?: Store
  /** Message handlers that replace the default echo or add message types. */
  messages?: readonly MessageDefinition<any>[]
}

/** The whole service as one plugin, registered in dependency order; its decorators reach the host app. */
export const app = fp(async function wsTicketAuth (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  await fastify.register(configPlugin, { config: opts.config })
  await fastify.register(securityPlugin)
  await fastify.register(docsPlugin)
  await fastify.register(ticketStorePlugin, { store: opts.store })
  await fastify.register(authPlugin)
  await fastify.register(sessionPlugin)
  await fastify.register(websocketPlugin)
  await fastify.register(ticketRoute)
  await fastify.register(sessionsRoute)
  await fastify.register(wsRoute, { messages: opts.messages })
  await fastify.register(healthRoute)
}, { name: 'ws-ticket-auth', fastify: '5.x' })

/**
 * pino options: JSON logs with every credential redacted, written to stdout
 * in 4 KiB batches (flushed at least every second, and on exit) instead of
 * one write per line: the per-line write cost ~7 µs of CPU a line, two lines
 * a request (docs/benchmarks.md).
 */
export function loggerOptions (config: AppConfig) {
  return {
    ...(config.logLevel === 'silent' ? {} : { stream: pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 }) }),
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-chat-server-key"]', 'ticket', 'token', '*.ticket', '*.token'],
      censor: '[redacted]'
    }
  }
}

/** A Fastify instance running the service: what `npm start` and the tests both use. */
export async function buildApp (opts: AppOptions, fastifyOptions: FastifyServerOptions = {}) {
  const fastify = Fastify({
    logger: loggerOptions(opts.config),
    trustProxy: opts.config.trustProxy,
    bodyLimit: opts.config.bodyLimitBytes,
    // Bodies are JSON or refused (415); text/plain is not a way in.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // A URL Fastify cannot decode never reaches the router: answer it in the envelope too.
    frameworkErrors: (_error, _request, reply) => { sendError(reply, 'BAD_REQUEST', 'Malformed URL') },
    ...fastifyOptions
  }).withTypeProvider<TypeBoxTypeProvider>()
  fastify.removeContentTypeParser('text/plain')
  await fastify.register(app, opts)
  return fastify
}
