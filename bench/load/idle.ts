import { performance } from 'node:perf_hooks'
import type WebSocket from 'ws'
import type { Socket } from 'socket.io-client'
import { makeUsers, type BenchUser } from '../lib/wire.js'
import { Samples } from '../lib/stats.js'
import { closeSocket, connect, pool } from './flow.js'
import { sioClose, sioConnect } from './socketio.js'
import { ownCpu, probe, serverUse, type Job, type Result } from './job.js'

type Opened = WebSocket | Socket

/** How this run's client opens an authenticated socket, closes it cleanly, and drops it at the end. */
function idleClient (job: Job): { open: (user: BenchUser) => Promise<Opened>, close: (s: Opened) => Promise<void>, drop: (s: Opened) => void } {
  if (job.flavor === 'socketio') {
    return { open: async user => await sioConnect(job.port, user), close: async s => { await sioClose(s as Socket) }, drop: s => { (s as Socket).disconnect() } }
  }
  const flavor = job.flavor === 'bare' ? 'echo' : job.flavor
  return { open: async user => await connect(job.port, user, flavor, job.wsPort), close: async s => { await closeSocket(s as WebSocket) }, drop: s => { (s as WebSocket).terminate() } }
}

const settle = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
const IDLE_SETTLE_MS = 12_000

/**
 * Server memory per authenticated idle socket: warm up with a few flows,
 * GC and read RSS, open `sockets` authenticated sockets, leave them idle 12 s,
 * GC and read RSS again. The figure is the RSS growth net of V8's young
 * generation, per socket. The baseline's sockets are bare `ws` sockets that
 * exchanged one frame.
 */
export async function idle (job: Job): Promise<Result> {
  const users = makeUsers(job.users)
  const { open: openOne, close, drop } = idleClient(job)
  await pool(200, 16, async (i) => { await close(await openOne(users[i % users.length])) })
  await settle(500)
  const before = await probe(true)
  const cpu0 = ownCpu()
  const t0 = performance.now()
  const samples = new Samples()
  const open: Opened[] = []
  await pool(job.sockets, 64, async (i) => {
    const start = performance.now()
    open.push(await openOne(users[i % users.length]))
    samples.push(performance.now() - start)
  })
  const seconds = (performance.now() - t0) / 1000
  const clientCpu = ownCpu() - cpu0
  const opened = await probe()
  // Idle for real: V8's memory reducer compacts the heap and trims the young generation
  // a few seconds after the traffic stops, as it would for sockets that stay open for minutes.
  await settle(IDLE_SETTLE_MS)
  const after = await probe(true)
  const { p50, p99 } = samples.summary()
  for (const socket of open) drop(socket)
  return {
    ops: open.length,
    seconds,
    p50Ms: p50,
    p99Ms: p99,
    errors: job.sockets - open.length,
    ...serverUse(before, opened),
    clientCpu,
    // V8's young generation grows with the setup traffic's allocation rate and shrinks when the
    // memory reducer runs, whatever the sockets hold: its change is taken out of the RSS growth.
    rssPerSocket: (after.rss - before.rss - (after.young - before.young)) / open.length,
    youngPerSocket: (after.young - before.young) / open.length,
    heapPerSocket: (after.heapUsed - before.heapUsed) / open.length
  }
}
