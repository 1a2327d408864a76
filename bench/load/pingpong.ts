import { performance } from 'node:perf_hooks'
import type WebSocket from 'ws'
import { PING_FRAME, makeUsers } from '../lib/wire.js'
import { Samples } from '../lib/stats.js'
import { connect } from './flow.js'
import { measuredWindow, type Job, type Result } from './job.js'

/** heartbeat_ping → heartbeat_pong round trips, one in flight per socket, over `concurrency` authenticated sockets. */
export const pingpong = async (job: Job): Promise<Result> => await roundTrips(job, PING_FRAME, 'heartbeat_p')

/** `frame` → one answer containing `marker`, one in flight per socket, over `concurrency` authenticated sockets. */
export async function roundTrips (job: Job, frame: string, marker: string): Promise<Result> {
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
        // The answer is the only frame expected here; anything else is counted, not trusted.
        if ((data as Buffer).indexOf(marker) < 0) errors++
        samples.push(now - sentAt)
        if (now >= until) {
          socket.removeAllListeners('message')
          resolve()
          return
        }
        sentAt = now
        socket.send(frame)
      })
      socket.send(frame)
    })
  }
  const run = async (seconds: number): Promise<void> => {
    until = performance.now() + seconds * 1000
    await Promise.all(sockets.map(drive))
  }

  await run(job.warmupSeconds)
  samples = new Samples()
  const result = await measuredWindow(samples, async () => {
    await run(job.seconds)
    return errors
  })
  for (const socket of sockets) socket.terminate()
  return result
}
