import { performance } from 'node:perf_hooks'
import type { Samples } from '../lib/stats.js'

/** What the runner asks a load generator to do, and what it reports back. */
export type Scenario = 'issue' | 'handshake' | 'idle' | 'pingpong' | 'gateway'
/**
 * `service` speaks the protocol; `bare` talks to a baseline doing the same wire work without auth;
 * `seeds` is the guides' own Express code (same protocol, WebSocket on `wsPort`); `socketio` the Socket.IO peer.
 */
export type Flavor = 'service' | 'bare' | 'seeds' | 'socketio'

export interface Job {
  scenario: Scenario
  flavor: Flavor
  port: number
  /** The guides' code serves WebSocket on a second port. */
  wsPort?: number
  warmupSeconds: number
  seconds: number
  /** Concurrent connections (issue), flows in flight (handshake), sockets (pingpong). */
  concurrency: number
  /** Sockets held open (idle). */
  sockets: number
  users: number
}

export interface Result {
  ops: number
  seconds: number
  p50Ms: number
  p99Ms: number
  errors: number
  /** CPU seconds the server used during the measured window. */
  serverCpu: number
  /** CPU seconds Redis used during the window, when it is the store. */
  redisCpu?: number
  /** CPU seconds the load generator used during the window. */
  clientCpu: number
  /** CPU seconds the whole machine was busy during the window: what is not ours is other people's load. */
  machineCpu: number
  /** idle only: server RSS growth per socket net of V8's young generation, in bytes; youngPerSocket is the young generation's change. */
  rssPerSocket?: number
  youngPerSocket?: number
  heapPerSocket?: number
}

export interface ProbeResult { cpu: number, machine: number, rss: number, heapUsed: number, young: number, redisCpu?: number }

/** Ask the runner for the server's CPU and memory right now (after a full GC when `gc`). */
export function probe (gc = false): Promise<ProbeResult> {
  return new Promise(resolve => {
    const onMessage = (msg: { kind?: string } & ProbeResult): void => {
      if (msg.kind !== 'probe-result') return
      process.off('message', onMessage)
      resolve(msg)
    }
    process.on('message', onMessage)
    process.send?.({ kind: 'probe', gc })
  })
}

/** CPU seconds this process has used. */
export function ownCpu (): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

/** Server (and Redis) CPU seconds between two probes. */
export function serverUse (before: ProbeResult, after: ProbeResult): Pick<Result, 'serverCpu' | 'redisCpu' | 'machineCpu'> {
  return {
    serverCpu: after.cpu - before.cpu,
    machineCpu: after.machine - before.machine,
    redisCpu: after.redisCpu === undefined || before.redisCpu === undefined ? undefined : after.redisCpu - before.redisCpu
  }
}

/** The measured window: server and client CPU around `run` (which resolves to its error count), latencies from `samples`. */
export async function measuredWindow (samples: Samples, run: () => Promise<number>): Promise<Result> {
  const before = await probe()
  const cpu0 = ownCpu()
  const t0 = performance.now()
  const errors = await run()
  const seconds = (performance.now() - t0) / 1000
  const clientCpu = ownCpu() - cpu0
  const after = await probe()
  const { p50, p99 } = samples.summary()
  return { ops: samples.length, seconds, p50Ms: p50, p99Ms: p99, errors, ...serverUse(before, after), clientCpu }
}
