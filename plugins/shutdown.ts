import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { sendError } from '../src/http/envelope.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route starts new work on this instance (a ticket, a socket): refused 503 SHUTTING_DOWN once it drains. */
    refuseWhileDraining?: boolean
  }
}

/**
 * Draining on close: routes flagged `refuseWhileDraining` answer 503 SHUTTING_DOWN while
 * in-flight requests finish; this instance's sessions leave the store before it closes.
 */
export default fp(async (fastify) => {
  const { store, liveSockets } = fastify
  let draining = false
  let leaving: string[] = []

  // Synchronous: on every ticket and upgrade, an async hook would cost a promise and a microtask turn.
  function refuseWhileDraining (_request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    if (draining) sendError(reply, 'SHUTTING_DOWN')
    else done()
  }
  // A route hook, not a global one: @fastify/websocket's global onRequest must have run for a
  // refused upgrade's socket to be released; first among the route's hooks, so it runs before them.
  fastify.addHook('onRoute', (route) => {
    if (route.config?.refuseWhileDraining !== true) return
    route.onRequest = [refuseWhileDraining, route.onRequest].flat().filter(hook => hook !== undefined)
  })

  // Registered before the websocket plugin, so this runs before its preClose closes (and detaches) the sockets.
  fastify.addHook('preClose', async () => {
    draining = true
    leaving = liveSockets.localSessionIds()
    fastify.log.info({ sessions: leaving.length }, 'draining: refusing new tickets and upgrades')
  })

  // onClose hooks run in reverse order: this one before the ticket-store plugin closes the store.
  fastify.addHook('onClose', async () => {
    const results = await Promise.allSettled(leaving.map(id => store.removeSession(id)))
    const failed = results.filter(r => r.status === 'rejected').length
    fastify.log.info({ sessions: leaving.length, failed }, 'removed this instance\'s sessions from the store')
  })
}, { name: 'shutdown', dependencies: ['session'], fastify: '5.x' })

/** close-with-grace's handler: say why, then close the app (drain above, then every plugin's onClose). */
export function closeHandler (fastify: FastifyInstance) {
  return async ({ signal, err }: { signal?: string, err?: Error }): Promise<void> => {
    if (err !== undefined) fastify.log.error({ err }, 'closing after an uncaught error')
    else fastify.log.info({ signal }, 'closing')
    await fastify.close()
  }
}
