import { performance } from 'node:perf_hooks'
import { makeUsers, type BenchUser } from '../lib/wire.js'
import { Samples } from '../lib/stats.js'
import { closeSocket, connect } from './flow.js'
import { sioClose, sioConnect } from './socketio.js'
import { measuredWindow, type Job, type Result } from './job.js'

/**
 * Full flows, closed loop with `concurrency` in flight: ticket → upgrade → authenticate → success → close.
 * The Socket.IO peer has no ticket: upgrade with the JWT in its handshake → `connect` → disconnect.
 */
export async function handshake (job: Job): Promise<Result> {
  const users = makeUsers(job.users)
  let u = 0
  const flow = job.flavor === 'socketio'
    ? async (user: BenchUser) => { await sioClose(await sioConnect(job.port, user)) }
    : async (user: BenchUser) => { await closeSocket(await connect(job.port, user, job.flavor, job.wsPort)) }
  async function loop (until: number, samples?: Samples): Promise<number> {
    let errors = 0
    while (performance.now() < until) {
      const start = performance.now()
      try {
        await flow(users[u++ % users.length])
        samples?.push(performance.now() - start)
      } catch (err) {
        if (errors++ === 0) process.stderr.write(`handshake: ${String(err)}\n`)
      }
    }
    return errors
  }
  const run = async (seconds: number, samples?: Samples): Promise<number> => {
    const until = performance.now() + seconds * 1000
    const errors = await Promise.all(Array.from({ length: job.concurrency }, () => loop(until, samples)))
    return errors.reduce((a, b) => a + b, 0)
  }

  await run(job.warmupSeconds)
  const samples = new Samples()
  return await measuredWindow(samples, async () => await run(job.seconds, samples))
}
