import { rssBytes } from '../lib/proc.js'
import { percentile } from '../lib/stats.js'
import { ranges, type Generator } from './fleet.js'
import { nowMs } from './held.js'
import type { Topology } from './topology.js'

export const settle = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** p50 and p99 of a sample, in its unit. */
export function quantiles (values: number[]): { p50: number, p99: number } {
  const sorted = Float64Array.from(values).sort()
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
}

/** Poll `check` every 100 ms until it returns a value, or give up with undefined at the deadline. */
export async function until<T> (check: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await check()
    if (value !== undefined) return value
    await settle(100)
  }
  return undefined
}

/** Handshakes per second through the balancer: every generator runs closed loops of full flows. */
export async function ratePhase (gens: Generator[], balancer: number, users: number, seconds: number, concurrency: number) {
  const runs = await Promise.all(gens.map(async g =>
    await g.ask<{ latencies: number[], errors: number }>({ kind: 'rate', port: balancer, users, seconds, concurrency })))
  const latencies = runs.flatMap(r => r.latencies)
  return { handshakes: latencies.length, perSecond: latencies.length / seconds, ...quantiles(latencies), errors: runs.reduce((n, r) => n + r.errors, 0) }
}

/**
 * Authenticated sockets held across the instances, straight to their ports
 * (as an L4 balancer would spread them), each user's sockets on every
 * instance. RSS of each instance before and after, once the sockets have
 * been idle `settleMs` (V8 compacts a few seconds after the traffic stops).
 */
export async function holdPhase (topo: Topology, gens: Generator[], sockets: number, users: number, settleMs: number) {
  const before = topo.instances.map(i => rssBytes(i.pid))
  const ports = topo.instances.map(i => i.port)
  const started = nowMs()
  const parts = await Promise.all(ranges(sockets, gens.length).map(async ([from, to], k) =>
    await gens[k].ask<{ opened: number }>({ kind: 'hold', ports, users, from, to, concurrency: 64 })))
  const seconds = (nowMs() - started) / 1000
  await settle(settleMs)
  const after = topo.instances.map(i => rssBytes(i.pid))
  const states = await Promise.all(gens.map(async g => await g.ask<{ failed: number, firstError?: string }>({ kind: 'held' })))
  const opened = parts.reduce((n, p) => n + p.opened, 0)
  const growth = after.reduce((n, rss, i) => n + rss - before[i], 0)
  return {
    opened,
    failed: states.reduce((n, s) => n + s.failed, 0),
    firstError: states.find(s => s.firstError !== undefined)?.firstError,
    seconds,
    perSecond: opened / seconds,
    rssBefore: before,
    rssAfter: after,
    kbPerSocket: growth / opened / 1024
  }
}

/** POST or DELETE on the backend API through the balancer; the HTTP status. */
export async function backend (balancer: number, key: string, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${balancer}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  await res.arrayBuffer()
  return res.status
}
