import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { serveChild } from './child.js'

/**
 * The service as `npm start` runs it (buildApp from the environment, pino to
 * stdout, which the runner sends to /dev/null), plus the benchmark's IPC.
 */
const config = loadConfig(process.env)
const fastify = await buildApp({ config })
await fastify.listen({ port: 0, host: '127.0.0.1' })
serveChild(fastify.server)
