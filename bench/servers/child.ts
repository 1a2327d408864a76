import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'

/**
 * What every benchmark server child does besides serving: announce its port,
 * collect garbage on request, and profile exactly the measured window
 * (`--profile`), not the start-up.
 */
export function serveChild (server: Server): void {
  const send = (msg: unknown): void => { process.send?.(msg) }
  let session: Session | undefined
  process.on('message', async (msg: { kind?: string, file?: string }) => {
    if (msg.kind === 'gc') {
      // Twice: the first pass finalises what the second frees.
      globalThis.gc?.()
      globalThis.gc?.()
      send({ kind: 'gc-done', heapUsed: process.memoryUsage().heapUsed })
    } else if (msg.kind === 'profile-start') {
      session = new Session()
      session.connect()
      await session.post('Profiler.enable')
      await session.post('Profiler.start')
      send({ kind: 'profile-started' })
    } else if (msg.kind === 'profile-stop' && session !== undefined) {
      const { profile } = await session.post('Profiler.stop')
      writeFileSync(msg.file as string, JSON.stringify(profile))
      session.disconnect()
      session = undefined
      send({ kind: 'profile-stopped' })
    }
  })
  // The parent going away ends the child, whatever state it is in.
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
  send({ kind: 'ready', port: (server.address() as AddressInfo).port })
}
