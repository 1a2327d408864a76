import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'

const TYPES = { 'index.html': 'text/html; charset=utf-8', 'page.js': 'text/javascript; charset=utf-8', 'page.css': 'text/css; charset=utf-8' }

/**
 * Serve a page built by src/demo/bundle.ts: its HTML at `pageUrl`, its script
 * and stylesheet under `assetPrefix`, read once, hidden from /docs. False
 * (and a warning) when the page is not built: the service starts without it.
 */
export async function servePage (fastify: FastifyInstance, dir: string, pageUrl: string, assetPrefix: string): Promise<boolean> {
  if (!existsSync(join(dir, 'index.html'))) {
    fastify.log.warn({ dir, pageUrl }, 'page is not built (npm run build): not served')
    return false
  }
  for (const [file, type] of Object.entries(TYPES)) {
    const body = await readFile(join(dir, file))
    const url = file === 'index.html' ? pageUrl : `${assetPrefix}/${file}`
    fastify.get(url, { schema: { hide: true } }, async (_request, reply) => reply.type(type).send(body))
  }
  return true
}
