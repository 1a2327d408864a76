import { performance } from 'node:perf_hooks'
import type WebSocket from 'ws'
import { PING_FRAME, makeUsers } from '../lib/wire.js'
import { Samples } from '../lib/stats.js'
import { connect } from './flow.js'
import { ownCpu, probe, serverUse, type Job, type Result } from './job.js'

/** heartbeat_ping → heartbeat_pong round trips, one in flight per socket, over `concurrency` authenticated sockets. */
export async function pingpong (job: Job): Promise<Result> {
  const users = makeUsers(job.users)
  const flavor = job.flavor === 'bare' ? 'echo' : 'service'
  const sockets: WebSocket[] = []
  for (let i = 0; i < job.concurrency; i++) sockets.push(await connect(job.port, users[i % users.length], flavor))

  // Warm-up round trips land in a sample that is thrown away.
  let samples = new Samples()
  let until = 0
  let errors = 0
  function drive (socket: WebSocket): Promise<void> {
    return new Promise(resolve => {
      let sentAt = performance.now()
      socket.on('message', (data) => {
        const now = performance.now()
        // The pong is the only frame expected here; anything else is counted, not trusted.
        if ((data as Buffer).indexOf('heartbeat_p') < 0) errors++
        samples.push(now - sentAt)
        if (now >= until) {
          socket.removeAllListeners('message')
          resolve()
          return
        }
        sentAt = now
        socket.send(PING_FRAME)
      })
      socket.send(PING_FRAME)
    })
  }
  const run = async (seconds: number): Promise<void> => {
    until = performance.now() + seconds * 1000
    await Promise.all(sockets.map(drive))
  }

  await run(job.warmupSeconds)
  samples = new Samples()
  const before = await probe()
  const cpu0 = ownCpu()
  const t0 = performance.now()
  await run(job.seconds)
  const seconds = (performance.now() - t0) / 1000
  const clientCpu = ownCpu() - cpu0
  const after = await probe()
  for (const socket of sockets) socket.terminate()
  const { p50, p99 } = samples.summary()
  return {
    ops: samples.length,
    seconds,
    p50Ms: p50,
    p99Ms: p99,
    errors,
    ...serverUse(before, after),
    clientCpu
  }
}
