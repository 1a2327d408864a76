import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { STORE_OPERATIONS, type Store } from './stores/types.js'
import { createUpstreamMetrics, noopUpstreamMetrics, type UpstreamMetrics } from './upstream-metrics.js'

export type AuthMethod = 'ticket' | 'legacy'
export type RateLimit = 'ticket' | 'message' | 'connection'

/**
 * What the service reports about itself. The core calls these and never sees
 * prom-client; with metrics disabled every call is a no-op.
 */
export interface Metrics extends UpstreamMetrics {
  /** The answer to a ticket request: `OK` or the error code sent. */
  ticket: (code: string) => void
  /** Any other HTTP failure envelope sent (upgrade refusals among them). */
  httpError: (code: string) => void
  /** A WebSocket error or authentication_error was sent. */
  wsError: (code: string) => void
  /** The outcome of one authentication attempt; `code` is `OK` on success. */
  wsAuthentication: (method: AuthMethod, code: string, seconds: number) => void
  /** A client frame was read; `type` is one of the known message types or `other`. */
  message: (type: string) => void
  /** The store with every operation timed (the store itself when metrics are off). */
  instrumentStore: <S extends Store>(store: S) => S
}

const noop = (): void => {}
export const noopMetrics: Metrics = {
  ticket: noop,
  httpError: noop,
  wsError: noop,
  wsAuthentication: noop,
  message: noop,
  instrumentStore: store => store,
  ...noopUpstreamMetrics
}

/** Live values read at scrape time. */
export interface MetricProbes {
  connections: () => number
  sessions: () => number
}

const PREFIX = 'wsticket_'
const TIMED = new Set<string | symbol>(STORE_OPERATIONS)
// Failures that are a limit being hit, and which limit.
const LIMIT_CODES: Record<string, RateLimit> = {
  RATE_LIMITED: 'ticket', MESSAGE_RATE_LIMITED: 'message', CONNECTION_LIMIT: 'connection'
}

/** prom-client metrics in a registry of their own (one per app: tests build many apps in one process). */
export function createPromMetrics (probes: MetricProbes) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]

  const ticketsIssued = new Counter({ name: `${PREFIX}tickets_issued_total`, help: 'Tickets issued', registers })
  const ticketsRefused = new Counter({ name: `${PREFIX}tickets_refused_total`, help: 'Ticket requests refused, by error code', labelNames: ['code'], registers })
  const authentications = new Counter({ name: `${PREFIX}ws_authentications_total`, help: 'WebSocket authentication attempts, by method, result and code', labelNames: ['method', 'result', 'code'], registers })
  const authDuration = new Histogram({
    name: `${PREFIX}ws_authentication_duration_seconds`,
    help: 'Time from the authentication frame to its answer',
    labelNames: ['method', 'result'],
    registers,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
  })
  const legacyAuth = new Counter({ name: `${PREFIX}legacy_auth_total`, help: 'Deprecated {type:"authenticate", token} attempts, by result', labelNames: ['result'], registers })
  const messages = new Counter({ name: `${PREFIX}ws_messages_total`, help: 'Client frames received, by message type', labelNames: ['type'], registers })
  const wsErrors = new Counter({ name: `${PREFIX}ws_errors_total`, help: 'WebSocket errors sent, by code', labelNames: ['code'], registers })
  const rateLimitHits = new Counter({ name: `${PREFIX}rate_limit_hits_total`, help: 'Requests, frames or upgrades refused by a limit', labelNames: ['limit'], registers })
  const storeDuration = new Histogram({
    name: `${PREFIX}store_operation_duration_seconds`,
    help: 'Store operation latency, by operation and backend',
    labelNames: ['operation', 'backend'],
    registers,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1]
  })
  const storeErrors = new Counter({ name: `${PREFIX}store_errors_total`, help: 'Failed store operations, by operation and backend', labelNames: ['operation', 'backend'], registers })
  // Gauges read the live registries at scrape time instead of being kept in step on every change.
  registry.registerMetric(new Gauge({ name: `${PREFIX}ws_connections`, help: 'Open WebSocket connections on this instance', registers: [], collect () { this.set(probes.connections()) } }))
  registry.registerMetric(new Gauge({ name: `${PREFIX}ws_sessions`, help: 'Authenticated sessions on this instance', registers: [], collect () { this.set(probes.sessions()) } }))

  function limitHit (code: string): void {
    const limit = LIMIT_CODES[code]
    if (limit !== undefined) rateLimitHits.inc({ limit })
  }

  const metrics: Metrics = {
    ticket (code) {
      if (code === 'OK') return ticketsIssued.inc()
      ticketsRefused.inc({ code })
      limitHit(code)
    },
    httpError: limitHit,
    wsError (code) {
      wsErrors.inc({ code })
      limitHit(code)
    },
    wsAuthentication (method, code, seconds) {
      const result = code === 'OK' ? 'success' : 'failure'
      authentications.inc({ method, result, code })
      authDuration.observe({ method, result }, seconds)
      if (method === 'legacy') legacyAuth.inc({ result })
    },
    message: (type) => { messages.inc({ type }) },
    instrumentStore: store => timedStore(store, storeDuration, storeErrors),
    ...createUpstreamMetrics(PREFIX, registers)
  }
  return { registry, metrics }
}

/** A view of the store whose operations are timed; one generic wrapper for every backend. */
function timedStore<S extends Store> (store: S, duration: Histogram, errors: Counter): S {
  const wrapped = new Map<string | symbol, unknown>()
  return new Proxy(store, {
    get (target, property) {
      // Read and called on the store itself, so class stores with private fields work through the proxy.
      const value: unknown = Reflect.get(target, property)
      if (typeof value !== 'function' || !TIMED.has(property)) return value
      let timed = wrapped.get(property)
      if (timed === undefined) {
        // Label children bound once: no label hashing per call.
        const labels = { operation: String(property), backend: target.backend }
        const latency = duration.labels(labels)
        const failures = errors.labels(labels)
        const operation = value as (...a: unknown[]) => Promise<unknown>
        timed = async (...args: unknown[]) => {
          const started = performance.now()
          const done = (): void => { latency.observe((performance.now() - started) / 1000) }
          return await operation.apply(target, args).then(
            (result) => { done(); return result },
            (err: unknown) => { done(); failures.inc(); throw err }
          )
        }
        wrapped.set(property, timed)
      }
      return timed
    }
  })
}
