import type { EventEmitter } from 'node:events'
import type { AppConfig } from '../config.js'

export type AdmissionRefusal = 'CONNECTION_LIMIT' | 'UNAUTHENTICATED_LIMIT'

/**
 * Upgrade admission: open sockets per client address, and sockets not yet
 * authenticated. A place is taken before the handshake, so a burst of
 * concurrent upgrades cannot all pass, and given back when the TCP socket closes.
 */
export function createAdmission (
  limits: Pick<AppConfig, 'maxConnectionsPerIp' | 'maxUnauthenticatedSockets'>,
  authenticated: () => number,
  released?: () => void
) {
  const perIp = new Map<string, number>()
  // Read by one shared 'close' listener: no closure per socket (docs/benchmarks.md).
  const ipOf = new WeakMap<EventEmitter, string>()
  let open = 0

  function release (this: EventEmitter): void {
    const ip = ipOf.get(this) as string
    ipOf.delete(this)
    open--
    const left = (perIp.get(ip) as number) - 1
    if (left === 0) perIp.delete(ip)
    else perIp.set(ip, left)
    released?.()
  }

  return {
    /** The code refusing an upgrade from `ip`, or undefined; a `socket` holds a place until it closes. */
    admit (ip: string, socket: EventEmitter | undefined): AdmissionRefusal | undefined {
      const fromIp = perIp.get(ip) ?? 0
      if (fromIp >= limits.maxConnectionsPerIp) return 'CONNECTION_LIMIT'
      if (open - authenticated() >= limits.maxUnauthenticatedSockets) return 'UNAUTHENTICATED_LIMIT'
      if (socket === undefined) return undefined
      perIp.set(ip, fromIp + 1)
      open++
      ipOf.set(socket, ip)
      socket.on('close', release)
      return undefined
    }
  }
}
