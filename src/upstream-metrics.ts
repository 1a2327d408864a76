import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** How an attempt to open a session's upstream connection ended. */
export type UpstreamResult = 'accepted' | 'refused' | 'failed' | 'timeout'
export type RelayDirection = 'to_upstream' | 'to_client'

/** Gateway mode's part of `Metrics` (PROTOCOL.md §7). */
export interface UpstreamMetrics {
  /** An upstream handshake ended; an accepted one is open until `upstreamClosed`. */
  upstreamConnect: (result: UpstreamResult, seconds: number) => void
  upstreamClosed: () => void
  /** One frame relayed unchanged. */
  relayed: (direction: RelayDirection) => void
}

const noop = (): void => {}
export const noopUpstreamMetrics: UpstreamMetrics = { upstreamConnect: noop, upstreamClosed: noop, relayed: noop }

export function createUpstreamMetrics (prefix: string, registers: Registry[]): UpstreamMetrics {
  const connects = new Counter({ name: `${prefix}upstream_connects_total`, help: 'Upstream connection attempts, by result', labelNames: ['result'], registers })
  const open = new Gauge({ name: `${prefix}upstream_connections`, help: 'Open upstream connections on this instance', registers })
  const latency = new Histogram({
    name: `${prefix}upstream_connect_duration_seconds`,
    help: 'Time from opening an upstream connection to its handshake\'s end, by result',
    labelNames: ['result'],
    registers,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
  })
  const frames = new Counter({ name: `${prefix}upstream_frames_relayed_total`, help: 'Frames relayed unchanged, by direction', labelNames: ['direction'], registers })
  // Label children bound once: the relay counts every frame.
  const relayed = { to_upstream: frames.labels('to_upstream'), to_client: frames.labels('to_client') }
  return {
    upstreamConnect (result, seconds) {
      connects.inc({ result })
      latency.observe({ result }, seconds)
      if (result === 'accepted') open.inc()
    },
    upstreamClosed: () => { open.dec() },
    relayed: (direction) => { relayed[direction].inc() }
  }
}
