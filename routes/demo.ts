import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DEMO_BUILD_DIR } from '../src/demo/assets.js'
import { signDevToken } from '../src/dev-token.js'

export interface DemoRouteOptions {
  /** The built page (index.html, page.js, page.css); default: dist/demo. */
  assetsDir?: string
}

const FILES = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/demo/page.js', 'page.js', 'text/javascript; charset=utf-8'],
  ['/demo/page.css', 'page.css', 'text/css; charset=utf-8']
] as const

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
  const dir = opts.assetsDir ?? DEMO_BUILD_DIR
  if (!existsSync(join(dir, 'index.html'))) {
    fastify.log.warn({ dir }, 'demo page is not built (npm run build): not served')
    return
  }
  for (const [url, file, type] of FILES) {
    const body = await readFile(join(dir, file))
    fastify.get(url, { schema: { hide: true } }, async (_request, reply) => reply.type(type).send(body))
  }

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
