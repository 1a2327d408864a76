import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { MemoryStore } from '../src/stores/memory.js'

/**
 * The service under soak, in its own process (forked by scripts/soak.ts) so
 * that what is measured is the service alone: it listens on a free port and
 * answers `sample` messages with its RSS, heap, event-loop delay (since the
 * last sample, and overall), active handles and open sockets.
 */
const config = loadConfig({ LOG_LEVEL: 'error', TICKET_RATE_LIMIT: '1000000', ...process.env, PORT: '0', HOST: '127.0.0.1' })
const app = await buildApp({ config })
await app.listen({ port: 0, host: '127.0.0.1' })

const RESOLUTION_MS = 10
const interval = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
const overall = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
interval.enable()
overall.enable()
// The histogram holds the sampling timer's whole period: the delay is what exceeds RESOLUTION_MS.
const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100)
const handles = () => (process as unknown as { _getActiveHandles: () => unknown[] })._getActiveHandles().length

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'sample') {
    const delay = { eldP99Ms: ms(interval.percentile(99)), eldMaxMs: ms(interval.max), eldOverallP99Ms: ms(overall.percentile(99)) }
    // Memory after a full collection, so a leak shows as a trend; the pause is left out of the next interval.
    globalThis.gc?.()
    const { rss, heapUsed } = process.memoryUsage()
    process.send?.({
      type: 'sample',
      ...delay,
      rssMiB: Math.round(rss / 2 ** 20 * 10) / 10,
      heapMiB: Math.round(heapUsed / 2 ** 20 * 10) / 10,
      handles: handles(),
      resources: process.getActiveResourcesInfo(),
      sockets: app.websocketServer.clients.size,
      sessions: app.liveSockets.count(),
      // The memory store keeps every ticket until its expiry plus 5 minutes (TICKET_USED / TICKET_EXPIRED answers).
      storedTickets: 'size' in app.store ? (app.store as MemoryStore).size().tickets : -1
    })
    interval.reset()
  }
  if (msg.type === 'stop') app.close().then(() => process.exit(0), () => process.exit(1))
})
process.send?.({ type: 'ready', port: (app.server.address() as AddressInfo).port })
