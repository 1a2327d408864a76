import { createSigner } from 'fast-jwt'

/** Credentials the service is started with and the load generator signs with. */
export const BENCH_SECRET = 'benchmark-secret-of-a-realistic-length-0123456789'
export const BENCH_SERVER_KEY = 'bench-chat-server'
/** The guides' code accepts only its hard-coded keys (`UD21`, `Host`, `Reserve`). */
export const SEEDS_SERVER_KEY = 'UD21'

/** The constant answers of the bare baselines: the same bytes on the wire as the service's, no work behind them. */
const NOW = new Date().toISOString()
export const BARE_TICKET_BODY = JSON.stringify({ success: true, ticket: `ws_ticket_${'ab'.repeat(32)}`, expiresAt: NOW })
export const BARE_ESTABLISHED = JSON.stringify({ type: 'connection_established', sessionId: `session_${'cd'.repeat(16)}`, timestamp: NOW })
export const BARE_SUCCESS = JSON.stringify({
  type: 'authentication_success', sessionId: `session_${'cd'.repeat(16)}`, user: { userId: 'user-0001', entityId: 'entity-1', entityType: 'BRAND' }, timestamp: NOW
})

export interface BenchUser {
  userId: string
  headers: Record<string, string>
  body: string
}

/** `count` distinct users, each with a signed JWT and the exact request a client sends for a ticket. */
export function makeUsers (count: number, prefix = 'user-'): BenchUser[] {
  const sign = createSigner({ key: BENCH_SECRET, algorithm: 'HS256', expiresIn: 3_600_000 })
  return Array.from({ length: count }, (_, i) => {
    const userId = `${prefix}${String(i).padStart(4, '0')}`
    return {
      userId,
      headers: {
        authorization: `Bearer ${sign({ userId, sub: userId })}`,
        'x-chat-server-key': BENCH_SERVER_KEY,
        'content-type': 'application/json'
      },
      body: JSON.stringify({ userId, entityId: 'entity-1', entityType: 'BRAND', clientInfo: { userAgent: 'bench' } })
    }
  })
}

/** A heartbeat_ping frame; the server (or the echo) answers with one frame. */
export const PING_FRAME = JSON.stringify({ type: 'heartbeat_ping', timestamp: 1700000000000, pingTime: 42 })

/** Source addresses for client sockets: spreading over several keeps loopback ephemeral ports from running out. */
export const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`)
