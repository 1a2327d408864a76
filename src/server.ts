import { existsSync } from 'node:fs'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { closeHandler } from '../plugins/shutdown.js'

/** `npm start`: read the environment, build the service, listen, drain and exit 0 on SIGTERM/SIGINT. */
async function main (): Promise<void> {
  // `.env` of the working directory, when present; a variable already in the environment keeps its value.
  if (existsSync('.env')) process.loadEnvFile('.env')
  const config = loadConfig(process.env)
  const fastify = await buildApp({ config })
  await fastify.listen({ port: config.port, host: config.host })
  // Past the delay close-with-grace exits 1: the drain (sockets, requests, sessions, store) must fit in it.
  closeWithGrace({ delay: config.shutdownTimeoutMs, logger: fastify.log }, closeHandler(fastify))
  const base = `http://localhost:${(fastify.server.address() as { port: number }).port}`
  fastify.log.info({ demoPage: fastify.config.demoPage },
    `Docs at ${base}/docs · WebSocket at ${base.replace('http', 'ws')}/ws · store: ${fastify.store.backend} · demo page (development only, DEMO_PAGE): ${base}/`)
}

main().catch((err: unknown) => {
  // A ConfigError names the variable at fault; anything else (a port in use) is reported as is.
  process.stderr.write(`Failed to start: ${String(err)}\n`)
  process.exit(1)
})
