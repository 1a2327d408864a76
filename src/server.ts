import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

/** `npm start`: read the environment, build the service, listen, close gracefully on signals. */
async function main (): Promise<void> {
  let config
  try {
    config = loadConfig(process.env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`Configuration error: ${err.message}\n`)
    process.exit(1)
  }
  const fastify = await buildApp({ config })
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) fastify.log.error({ err }, 'closing after error')
    else fastify.log.info({ signal }, 'closing')
    await fastify.close()
  })
  await fastify.listen({ port: config.port, host: config.host })
  const base = `http://localhost:${(fastify.server.address() as { port: number }).port}`
  const demo = fastify.config.demoPage ? ` · demo page at ${base}/ (development only)` : ''
  fastify.log.info(`Docs at ${base}/docs · WebSocket at ${base.replace('http', 'ws')}/ws · store: ${fastify.store.backend}${demo}`)
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
