import type { AddressInfo, Server } from 'node:net'
import './preload.js'

/** A baseline server child: the benchmark's IPC (from the preload) and its port announced. */
export function serveChild (server: Server): void {
  process.on('SIGTERM', () => process.exit(0))
  process.send?.({ kind: 'ready', port: (server.address() as AddressInfo).port })
}
