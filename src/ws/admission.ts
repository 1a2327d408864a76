import type { EventEmitter } from 'node:events'
import type { AppConfig } from '../config.js'

export type AdmissionRefusal = 'CONNECTION_LIMIT' | 'UNAUTHENTICATED_LIMIT'

/**
 * Upgrade admission for one instance: open sockets per client address, and
 * sockets not authenticated yet. A place is taken when the upgrade request is
 * admitted, before the handshake, so a burst of concurrent upgrades cannot
 * all pass the check; it is given back when the TCP socket closes, whether the
 * handshake failed or the WebSocket ended later.
 */
export function createAdmission (
  limits: Pick<AppConfig, 'maxConnectionsPerIp' | 'maxUnauthenticatedSockets'>,
  /** Sockets of this instance that are authenticated (the live sockets' count). */
  authenticated: () => number,
  /** Told each time a place is given back. */
  released?: () => void
) {
  const perIp = new Map<string, number>()
  // The address each admitted socket counts against, read by one shared 'close' listener (docs/benchmarks.md).
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
    /**
     * Check an upgrade from `ip`; with a `socket`, take a place until it closes.
     * Returns the code that refuses it, or undefined when admitted.
     */
    admit (ip: string, socket: EventEmitter | undefined): AdmissionRefusal | undefined {
      const fromIp = perIp.get(ip) ?? 0
      if (fromIp >= limits.maxConnectionsPerIp) return 'CONNECTION_LIMIT'
      // Every open socket that is not an authenticated session is waiting to authenticate (or still upgrading).
      if (open - authenticated() >= limits.maxUnauthenticatedSockets) return 'UNAUTHENTICATED_LIMIT'
      if (socket === undefined) return undefined
      perIp.set(ip, fromIp + 1)
      open++
      ipOf.set(socket, ip)
      // 'close' is emitted once per socket, so `on` (no `once` wrapper object) releases the place once.
      socket.on('close', release)
      return undefined
    }
  }
}
