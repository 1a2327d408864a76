import type { FastifyBaseLogger } from 'fastify'
import type { UpstreamConfig } from '../config.js'
import type { UpstreamMetrics } from '../upstream-metrics.js'
import type { Session } from './session.js'
import type { Sink } from './sink.js'
import { createUpstreamConnector } from './upstream-connect.js'
import { UpstreamRelay } from './upstream-relay.js'

/** What the service keeps answering itself in gateway mode; every other type is the upstream's. */
const OWN_TYPES = new Set(['heartbeat_ping', 'session_refresh'])

export interface UpstreamSinkDeps {
  upstream: UpstreamConfig
  metrics: UpstreamMetrics
  maxBufferedBytes: number
  log: FastifyBaseLogger
}

/**
 * Gateway mode (PROTOCOL.md §7): each session gets its own upstream WebSocket
 * before its client hears of success; the service's own messages go to `local`,
 * every other frame to the upstream as received.
 */
export function createUpstreamSink (local: Sink, deps: UpstreamSinkDeps): Sink {
  // Half of MAX_BUFFERED_BYTES for relayed frames (one more frame may pass it), the rest for the service's own
  // messages: a slow client is paused, not terminated for the upstream's traffic.
  const highWater = Math.floor(deps.maxBufferedBytes / 2)
  const connector = createUpstreamConnector(deps.upstream, deps.metrics, highWater)
  const relays = new WeakMap<Session, UpstreamRelay>()

  return {
    knows: type => OWN_TYPES.has(type) && local.knows(type),

    async open (session, client) {
      // Watching the client from now on: a close during the handshake reaches the upstream once it is there.
      const relay = new UpstreamRelay(client.socket, session, { metrics: deps.metrics, highWater })
      const upstream = await connector.connect(session.record, client.clientIp)
      if (typeof upstream === 'string') {
        session.log.warn({ upstream }, 'upstream did not accept the session')
        return false
      }
      relay.attach(upstream)
      relays.set(session, relay)
      return true
    },

    start (session) { relays.get(session)?.start() },

    deliver (session, message, id, frame) {
      const type = message.type
      if (typeof type !== 'string') return session.error('UNKNOWN_MESSAGE_TYPE', id)
      if (OWN_TYPES.has(type)) return local.deliver(session, message, id, frame)
      relays.get(session)?.toUpstream(frame)
      return undefined
    }
  }
}
