import { percentile } from '../lib/stats.js'
import { ranges, type Generator } from './fleet.js'
import { nowMs, placement } from './held.js'
import type { Balancer } from './haproxy.js'
import type { Topology } from './topology.js'
import { storeSessions } from './store-check.js'
import { perUnit, usage, type Usage } from './usage.js'

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

/**
 * Handshakes per second through the balancer (every generator runs closed loops of full flows), and the CPU each cost.
 * The instances are fresh: a first short round compiles the code and is not counted.
 */
export async function ratePhase (topo: Topology, balancer: Balancer, gens: Generator[], users: number, seconds: number, concurrency: number) {
  const round = async (s: number): Promise<Array<{ latencies: number[], errors: number }>> => await Promise.all(gens.map(async g =>
    await g.ask<{ latencies: number[], errors: number }>({ kind: 'rate', port: balancer.port, users, seconds: s, concurrency })))
  await round(Math.min(3, seconds))
  const before = usage(topo, balancer.pid)
  const runs = await round(seconds)
  const latencies = runs.flatMap(r => r.latencies)
  return {
    handshakes: latencies.length,
    perSecond: latencies.length / seconds,
    ...quantiles(latencies),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    perHandshake: perUnit(before, usage(topo, balancer.pid), latencies.length)
  }
}

/**
 * Authenticated sockets held across the instances, straight to their ports
 * (as an L4 balancer would spread them), each user's sockets on every
 * instance, opened in two halves, each followed by `settleMs` of idling (V8
 * compacts a few seconds after the traffic stops) and a reading of every
 * instance's RSS after a full GC, net of V8's young generation. CPU per
 * socket opened is read over the second half, when the code is compiled and
 * warm. The two idle periods price idle sockets' CPU (pings, timers, leases):
 * the second half's extra rate, so fixed costs (health checks) cancel out.
 */
export async function holdPhase (topo: Topology, balancer: Balancer, gens: Generator[], sockets: number, users: number, settleMs: number) {
  const rss = async (): Promise<number[]> => await Promise.all(topo.instances.map(async i => await i.memory()))
  const total = (values: number[]): number => values.reduce((a, b) => a + b, 0)
  const ports = topo.instances.map(i => i.port)
  const read = (): Usage => usage(topo, balancer.pid)
  let opening = 0
  const half = async (part: 0 | 1): Promise<{ opened: number, start: Usage, afterOpen: Usage, afterIdle: Usage, rss: number[] }> => {
    const start = read()
    const t0 = nowMs()
    const results = await Promise.all(ranges(sockets, gens.length).map(async ([from, to], k) => {
      const mid = Math.floor((from + to) / 2)
      return await gens[k].ask<{ opened: number }>({ kind: 'hold', ports, users, from: part === 0 ? from : mid, to: part === 0 ? mid : to, concurrency: 64 })
    }))
    opening += (nowMs() - t0) / 1000
    const afterOpen = read()
    await settle(settleMs)
    // Each generator reports every socket it holds, so the sum is the total so far.
    return { opened: results.reduce((n, r) => n + r.opened, 0), start, afterOpen, afterIdle: read(), rss: await rss() }
  }
  const rssBefore = await rss()
  const first = await half(0)
  const second = await half(1)
  const states = await Promise.all(gens.map(async g => await g.ask<{ failed: number, firstError?: string, otherCloses: number }>({ kind: 'held' })))
  const opened = second.opened
  const added = second.opened - first.opened
  const perInstance = topo.instances.map(() => 0)
  for (let i = 0; i < sockets; i++) perInstance[placement(i, users, ports.length).instance]++
  return {
    opened,
    failed: states.reduce((n, s) => n + s.failed, 0),
    firstError: states.find(s => s.firstError !== undefined)?.firstError,
    /** Sockets that authenticated and were closed by the other side while held (none expected). */
    lost: states.reduce((n, s) => n + s.otherCloses, 0),
    seconds: opening,
    perSecond: opened / opening,
    perInstance,
    rssBefore,
    rssAfter: second.rss,
    kbPerSocket: (total(second.rss) - total(rssBefore)) / opened / 1024,
    /** Second half: CPU per socket opened (direct to an instance), Redis bytes per session. */
    perSocket: perUnit(second.start, second.afterOpen, added),
    redisBytesPerSession: (second.afterIdle.redisMemory - first.start.redisMemory) / opened,
    /** Idle periods: cores used with all sockets, and the second half's extra cores per socket (fixed costs such as health checks cancel out). */
    idleCores: perUnit(second.afterOpen, second.afterIdle, settleMs / 1000),
    idlePerSocketSecond: perUnit(first.afterOpen, first.afterIdle, settleMs / 1000, second.afterOpen, second.afterIdle, added)
  }
}

/**
 * After the held sockets went away (their clients dropped them, as a crashed
 * client would): every one of their sessions must leave the store. How long
 * until the last session key is gone, and how many are left at the deadline.
 */
export async function releasePhase (topo: Topology, released: number) {
  const started = nowMs()
  let left = released
  const gone = await until(async () => {
    ({ sessionKeys: left } = await storeSessions(topo.clusterNodes, topo.keyPrefix, []))
    return left === 0 ? nowMs() : undefined
  }, 120_000)
  return { released, left, seconds: gone === undefined ? undefined : (gone - started) / 1000 }
}

/**
 * POST or DELETE on the backend API through the balancer; the HTTP status, the
 * answer's JSON (undefined if none) and its text. A request that got no answer
 * (its connection failed) is status 0, its text the reason.
 */
export async function backend (balancer: number, key: string, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number, body: any, text: string }> {
  let res: Response
  try {
    res = await fetch(`http://127.0.0.1:${balancer}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
  } catch (err) {
    return { status: 0, body: undefined, text: String((err as Error).cause ?? err) }
  }
  const text = await res.text()
  let json: unknown
  try { json = JSON.parse(text) } catch {}
  return { status: res.status, body: json, text }
}
