import { performance } from 'node:perf_hooks'
import type WebSocket from 'ws'
import { PING_FRAME, makeUsers } from '../lib/wire.js'
import { Samples } from '../lib/stats.js'
import type { Socket } from 'socket.io-client'
import { connect } from './flow.js'
import { sioConnect, sioPing } from './socketio.js'
import { measuredWindow, type Job, type Result } from './job.js'

/** Warm-up round trips (their samples thrown away), then the measured window over fresh samples. */
async function warmThenMeasure (job: Job, run: (seconds: number, samples: Samples) => Promise<void>, errors: () => number): Promise<Result> {
  await run(job.warmupSeconds, new Samples())
  const samples = new Samples()
  return await measuredWindow(samples, async () => {
    await run(job.seconds, samples)
    return errors()
  })
}

/** heartbeat_ping → heartbeat_pong round trips, one in flight per socket, over `concurrency` authenticated sockets. */
export async function pingpong (job: Job): Promise<Result> {
  if (job.flavor === 'socketio') return await sioPingpong(job)
  return await roundTrips(job, PING_FRAME, 'heartbeat_p')
}

/** `frame` → one answer containing `marker`, one in flight per socket, over `concurrency` authenticated sockets. */
export async function roundTrips (job: Job, frame: string, marker: string): Promise<Result> {
  const users = makeUsers(job.users)
  const flavor = job.flavor === 'bare' ? 'echo' : job.flavor
  const sockets: WebSocket[] = []
  for (let i = 0; i < job.concurrency; i++) sockets.push(await connect(job.port, users[i % users.length], flavor))

  let until = 0
  let errors = 0
  function drive (socket: WebSocket, samples: Samples): Promise<void> {
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
  const run = async (seconds: number, samples: Samples): Promise<void> => {
    until = performance.now() + seconds * 1000
    await Promise.all(sockets.map(async socket => { await drive(socket, samples) }))
  }
  const result = await warmThenMeasure(job, run, () => errors)
  for (const socket of sockets) socket.terminate()
  return result
}

/** The Socket.IO peer: the same closed loops, each round trip an event and its acknowledgement. */
async function sioPingpong (job: Job): Promise<Result> {
  const users = makeUsers(job.users)
  const sockets: Socket[] = []
  for (let i = 0; i < job.concurrency; i++) sockets.push(await sioConnect(job.port, users[i % users.length]))
  let errors = 0
  const run = async (seconds: number, samples: Samples): Promise<void> => {
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
  const result = await warmThenMeasure(job, run, () => errors)
  for (const socket of sockets) socket.disconnect()
  return result
}
