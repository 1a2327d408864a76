import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DEMO_BUILD_DIR } from '../src/demo/assets.js'
import { signDevToken } from '../src/dev-token.js'
import { servePage } from '../src/http/static-page.js'

export interface DemoRouteOptions {
  /** The built page (index.html, page.js, page.css); default: dist/demo. */
  assetsDir?: string
}

const DEV_TOKEN_TTL_SECONDS = 3600
const DevTokenRequestSchema = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 255 }) })
const DevTokenResponseSchema = Type.Object({
  token: Type.String(),
  serverKey: Type.String(),
  expiresIn: Type.Integer()
})

/**
 * The demo chat page at `/` and, for it, `POST /demo/token`, which mints a
 * user JWT for any name: development only. The app registers this only when
 * `demoPage` is on, which it never is in production.
 */
const demoRoute: FastifyPluginAsyncTypebox<DemoRouteOptions> = async (fastify, opts) => {
  const { config } = fastify
  if (!await servePage(fastify, opts.assetsDir ?? DEMO_BUILD_DIR, '/', '/demo')) return

  // With only a JWKS there is no secret to sign with: the page then asks for a token.
  const secret = config.jwtSecret
  if (secret === undefined) return
  fastify.post('/demo/token', {
    schema: { hide: true, body: DevTokenRequestSchema, response: { 200: DevTokenResponseSchema } }
  }, async (request) => ({
    token: signDevToken(request.body.userId, {
      secret, ttlSeconds: DEV_TOKEN_TTL_SECONDS, issuer: config.jwtIssuer, audience: config.jwtAudience
    }),
    serverKey: config.chatServerKeys[0],
    expiresIn: DEV_TOKEN_TTL_SECONDS
  }))
}

export default demoRoute
