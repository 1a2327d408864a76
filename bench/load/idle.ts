import { performance } from 'node:perf_hooks'
import type WebSocket from 'ws'
import { makeUsers } from '../lib/wire.js'
import { Samples } from '../lib/stats.js'
import { closeSocket, connect, pool } from './flow.js'
import { ownCpu, probe, serverUse, type Job, type Result } from './job.js'

const settle = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/**
 * Server memory per authenticated idle socket: warm up with a few flows,
 * GC and read RSS, open `sockets` authenticated sockets, let them settle,
 * GC and read RSS again. The baseline's sockets are bare `ws` sockets that
 * exchanged one frame.
 */
export async function idle (job: Job): Promise<Result> {
  const users = makeUsers(job.users)
  const flavor = job.flavor === 'bare' ? 'echo' : 'service'
  await pool(200, 16, async (i) => { await closeSocket(await connect(job.port, users[i % users.length], flavor)) })
  await settle(500)
  const before = await probe(true)
  const cpu0 = ownCpu()
  const t0 = performance.now()
  const samples = new Samples()
  const open: WebSocket[] = []
  await pool(job.sockets, 64, async (i) => {
    const start = performance.now()
    open.push(await connect(job.port, users[i % users.length], flavor))
    samples.push(performance.now() - start)
  })
  const seconds = (performance.now() - t0) / 1000
  const clientCpu = ownCpu() - cpu0
  const opened = await probe()
  await settle(1000)
  const after = await probe(true)
  const { p50, p99 } = samples.summary()
  for (const socket of open) socket.terminate()
  return {
    ops: open.length,
    seconds,
    p50Ms: p50,
    p99Ms: p99,
    errors: job.sockets - open.length,
    ...serverUse(before, opened),
    clientCpu,
    rssPerSocket: (after.rss - before.rss) / open.length,
    // Part of the RSS growth that is V8's young generation, sized by the setup traffic's allocation rate, not by the sockets kept.
    youngPerSocket: (after.young - before.young) / open.length,
    heapPerSocket: (after.heapUsed - before.heapUsed) / open.length
  }
}
