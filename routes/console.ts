import type { FastifyPluginAsync } from 'fastify'
import { CONSOLE_BUILD_DIR } from '../src/demo/assets.js'
import { servePage } from '../src/http/static-page.js'

export interface ConsoleRouteOptions {
  /** The built console (index.html, page.js, page.css); default: dist/console. */
  assetsDir?: string
}

/**
 * The operator console at `/admin`: a static page that asks for a backend API
 * key and calls the backend API with it. The app registers this only with
 * BACKEND_API_KEYS set; the page itself holds no secret.
 */
const consoleRoute: FastifyPluginAsync<ConsoleRouteOptions> = async (fastify, opts) => {
  await servePage(fastify, opts.assetsDir ?? CONSOLE_BUILD_DIR, '/admin', '/admin')
}

export default consoleRoute
