import WebSocket from 'ws'
import { createSigner } from 'fast-jwt'
import type { UpstreamConfig } from '../config.js'
import type { UpstreamMetrics, UpstreamResult } from '../upstream-metrics.js'
import type { SessionRecord } from '../stores/types.js'

/** The one header the upstream verifies (PROTOCOL.md §7). */
export const IDENTITY_HEADER = 'X-Ws-Auth-Identity'
export const IDENTITY_TTL_MS = 60_000

export interface UpstreamConnector {
  readonly maxPayload: number
  /** Resolves with the accepted socket, paused until the relay starts, or with why it was not accepted. */
  connect: (record: SessionRecord, clientIp: string) => Promise<WebSocket | Exclude<UpstreamResult, 'accepted'>>
}

/** Opens one upstream WebSocket per session, with headers built from scratch: nothing of the client's request passes. */
export function createUpstreamConnector (config: UpstreamConfig, metrics: UpstreamMetrics, maxPayload: number): UpstreamConnector {
  const sign = createSigner({ key: config.secret, algorithm: 'HS256', expiresIn: IDENTITY_TTL_MS })
  const identity = (r: SessionRecord): string =>
    sign({ sub: r.userId, sid: r.sessionId, entityId: r.entityId, entityType: r.entityType, chatServerKey: r.chatServerKey })

  return {
    maxPayload,
    connect: async (record, clientIp) => await new Promise(resolve => {
      const started = performance.now()
      const socket = new WebSocket(config.url, {
        headers: { [IDENTITY_HEADER]: identity(record), 'X-Forwarded-For': clientIp },
        perMessageDeflate: false,
        followRedirects: false,
        maxPayload
      })
      const timer = setTimeout(() => { settle('timeout') }, config.connectTimeoutMs)
      let settled = false
      function settle (result: UpstreamResult): void {
        if (settled) return
        settled = true
        clearTimeout(timer)
        metrics.upstreamConnect(result, (performance.now() - started) / 1000)
        if (result === 'accepted') {
          // Nothing of the upstream reaches the client before authentication_success: read once the relay starts.
          socket.pause()
          resolve(socket)
          return
        }
        socket.terminate()
        resolve(result)
      }
      socket.once('open', () => { settle('accepted') })
      socket.once('unexpected-response', () => { settle('refused') })
      // Stays for the socket's life: after the handshake it only keeps a late error from being thrown.
      socket.on('error', () => { settle('failed') })
    })
  }
}
