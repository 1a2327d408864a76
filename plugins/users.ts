import fp from 'fastify-plugin'
import { presence } from '../src/sessions/presence.js'
import { revokeUserSessions, type RevokeOptions } from '../src/sessions/revoke.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Revoke every live session of a user on every instance; resolves to how many were revoked. */
    revokeUser: (userId: string, options?: RevokeOptions) => Promise<number>
    /** Live sessions per user id, from the store's per-user index, counted in one batch (`store.countUserSessions`). */
    presence: (userIds: readonly string[]) => Promise<Record<string, number>>
  }
}

/** Decorates `revokeUser` and `presence`: what the backend API does to users, for a host app's own code too. */
export default fp(async (fastify) => {
  const { store } = fastify
  fastify.decorate('revokeUser', async (userId: string, options?: RevokeOptions) => await revokeUserSessions(store, userId, options))
  fastify.decorate('presence', async (userIds: readonly string[]) => await presence(store, userIds))
}, { name: 'users', dependencies: ['ticket-store'], fastify: '5.x' })
