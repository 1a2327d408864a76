import fp from 'fastify-plugin'
import fastifyJwt from '@fastify/jwt'
import type { FastifyRequest } from 'fastify'
import { AppError } from '../src/protocol/errors.js'
import { DEV_JWT_SECRET } from '../src/config.js'
import { createUserVerifier } from '../src/jwt.js'
import { bearerToken, secretMatcher } from '../src/http/credentials.js'

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { userId?: string, sub?: string, [claim: string]: unknown }
    /** `tokenExpiresAt`: the JWT's `exp` in epoch ms, when it has one (the ticket keeps it, never the token). */
    user: { userId: string, chatServerKey: string, tokenExpiresAt?: number }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: Bearer JWT, then X-Chat-Server-Key; sets `request.user`. */
    authenticate: (request: FastifyRequest) => Promise<void>
    /** The checks behind `authenticate`, for credentials that do not come as headers (legacy WebSocket frames). */
    credentials: {
      userIdOf: (token: string) => Promise<string>
      knownServerKey: (key: string) => boolean
    }
  }
}

/** Decorates `authenticate`: the credential check shared by the ticket and session routes. */
export default fp(async (fastify) => {
  const { config } = fastify
  if (config.jwtSecret === DEV_JWT_SECRET) fastify.log.warn('JWT_SECRET is not set: using the development secret (never in production)')
  if (config.jwtSecret === undefined) {
    fastify.decorateRequest('user', null as never)
  } else {
    // Verification is createUserVerifier's; @fastify/jwt stays for `fastify.jwt.sign` (tests, scripts, host apps).
    await fastify.register(fastifyJwt, {
      secret: config.jwtSecret,
      // Pinned: `none` and every other algorithm are refused.
      verify: { algorithms: ['HS256'], cache: true, allowedIss: config.jwtIssuer, allowedAud: config.jwtAudience },
      sign: { algorithm: 'HS256' }
    })
  }
  const verifyUser = createUserVerifier(config)
  const userIdOf = async (token: string): Promise<string> => (await verifyUser(token)).userId

  const knownServerKey = secretMatcher(config.chatServerKeys)

  fastify.decorate('credentials', { userIdOf, knownServerKey })

  fastify.decorate('authenticate', async function authenticate (request: FastifyRequest) {
    const token = bearerToken(request.headers.authorization, 'token68')
    if (token === undefined) throw new AppError('AUTH_MISSING')
    // Awaited only when it is a promise (JWKS): no extra microtask turn per request with a secret.
    const verified = verifyUser(token)
    const { userId, tokenExpiresAt } = verified instanceof Promise ? await verified : verified
    const chatServerKey = request.headers['x-chat-server-key']
    if (typeof chatServerKey !== 'string' || chatServerKey === '') throw new AppError('SERVER_KEY_MISSING')
    if (!knownServerKey(chatServerKey)) throw new AppError('SERVER_KEY_INVALID')
    request.user = { userId, chatServerKey, tokenExpiresAt }
  })
}, { name: 'auth', dependencies: ['config'], fastify: '5.x' })
