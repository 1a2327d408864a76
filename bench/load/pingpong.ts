import { performance } from 'node:perf_hooks'
import type WebSocket from 'ws'
import { PING_FRAME, makeUsers } from '../lib/wire.js'
import { Samples } from '../lib/stats.js'
import type { Socket } from 'socket.io-client'
import { connect } from './flow.js'
import { sioConnect, sioPing } from './socketio.js'
import { measuredWindow, type Job, type Result } from './job.js'

/** heartbeat_ping → heartbeat_pong round trips, one in flight per socket, over `concurrency` authenticated sockets. */
export async function pingpong (job: Job): Promise<Result> {
  if (job.flavor === 'socketio') return await sioPingpong(job)
  const users = makeUsers(job.users)
  const flavor = job.flavor === 'bare' ? 'echo' : job.flavor
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
  const result = await measuredWindow(samples, async () => {
    await run(job.seconds)
    return errors
  })
  for (const socket of sockets) socket.terminate()
  return result
}

/** The Socket.IO peer: the same closed loops, each round trip an event and its acknowledgement. */
async function sioPingpong (job: Job): Promise<Result> {
  const users = makeUsers(job.users)
  const sockets: Socket[] = []
  for (let i = 0; i < job.concurrency; i++) sockets.push(await sioConnect(job.port, users[i % users.length]))
  let samples = new Samples()
  let errors = 0
  const run = async (seconds: number): Promise<void> => {
    const until = performance.now() + seconds * 1000
    await Promise.all(sockets.map(async socket => {
      while (performance.now() < until) {
        const sentAt = performance.now()
        const pong = await sioPing(socket) as { type?: string }
        if (pong.type !== 'heartbeat_pong') errors++
        samples.push(performance.now() - sentAt)
      }
    }))
  }
  await run(job.warmupSeconds)
  samples = new Samples()
  const result = await measuredWindow(samples, async () => {
    await run(job.seconds)
    return errors
  })
  for (const socket of sockets) socket.disconnect()
  return result
}
