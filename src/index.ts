/**
 * Library mode: the Fastify plugin the service itself runs, for an existing
 * Fastify app, with what it needs around it (configuration, the protocol's
 * schemas and errors, message handlers, stores). The browser client is the
 * `ws-ticket-auth/client` subpath.
 */
import { app } from './app.js'

export default app
export { app as wsTicketAuth, buildApp, loggerOptions, type AppOptions } from './app.js'
export { ConfigError, EnvSchema, loadConfig, resolveConfig, type AppConfig, type ConfigOverrides } from './config.js'
export * from './protocol/errors.js'
export * from './protocol/http.js'
export * from './protocol/backend-api.js'
export * from './protocol/messages.js'
export { asyncApiDocument } from './protocol/asyncapi.js'
export {
  defineMessage, chatEcho, configureTools, heartbeat,
  type MessageContext, type MessageDefinition, type MessageSchema, type OutgoingMessage
} from './ws/handlers.js'
export * from './stores/index.js'
export { signDevToken } from './dev-token.js'
// The decorators' types (fastify.config, store, liveSockets, sendToUser…) are declared by the plugins.
export type {} from '../plugins/config.js'
export type {} from '../plugins/auth.js'
export type {} from '../plugins/store.js'
export type {} from '../plugins/session.js'
export type {} from '../plugins/delivery.js'
export type {} from '../plugins/users.js'
export type { RevokeOptions } from './sessions/revoke.js'
