import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

/**
 * The service under soak, in its own process (forked by scripts/soak.ts) so
 * that what is measured is the service alone: it listens on a free port and
 * answers `sample` messages with its RSS, heap, event-loop delay (since the
 * last sample, and overall), active handles and open sockets.
 */
const config = loadConfig({ LOG_LEVEL: 'warn', TICKET_RATE_LIMIT: '1000000', ...process.env, PORT: '0', HOST: '127.0.0.1' })
const app = await buildApp({ config })
await app.listen({ port: 0, host: '127.0.0.1' })

const interval = monitorEventLoopDelay({ resolution: 10 })
const overall = monitorEventLoopDelay({ resolution: 10 })
interval.enable()
overall.enable()
const ms = (ns: number) => Math.round(ns / 1e4) / 100
const handles = () => (process as unknown as { _getActiveHandles: () => unknown[] })._getActiveHandles().length

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'sample') {
    globalThis.gc?.()
    const { rss, heapUsed } = process.memoryUsage()
    process.send?.({
      type: 'sample',
      rssMiB: Math.round(rss / 2 ** 20 * 10) / 10,
      heapMiB: Math.round(heapUsed / 2 ** 20 * 10) / 10,
      eldP99Ms: ms(interval.percentile(99)),
      eldMaxMs: ms(interval.max),
      eldOverallP99Ms: ms(overall.percentile(99)),
      handles: handles(),
      resources: process.getActiveResourcesInfo(),
      sockets: app.websocketServer.clients.size,
      sessions: app.sessions.count()
    })
    interval.reset()
  }
  if (msg.type === 'stop') void app.close().then(() => process.exit(0))
})
process.send?.({ type: 'ready', port: (app.server.address() as AddressInfo).port })
