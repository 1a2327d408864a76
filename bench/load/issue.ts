import autocannon from 'autocannon'
import { makeUsers } from '../lib/wire.js'
import { ownCpu, probe, serverUse, type Job, type Result } from './job.js'

function fire (job: Job, seconds: number, requests: autocannon.Request[]): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${job.port}`,
    connections: job.concurrency,
    pipelining: 1,
    duration: seconds,
    requests
  })
}

/** POST /api/websocket/ticket with keep-alive, cycling through many users' JWTs (the baseline answers a constant). */
export async function issue (job: Job): Promise<Result> {
  const requests = makeUsers(job.users).map(u => ({ method: 'POST' as const, path: '/api/websocket/ticket', headers: u.headers, body: u.body }))
  await fire(job, job.warmupSeconds, requests)
  const before = await probe()
  const cpu0 = ownCpu()
  const result = await fire(job, job.seconds, requests)
  const clientCpu = ownCpu() - cpu0
  const after = await probe()
  return {
    ops: result['2xx'],
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    ...serverUse(before, after),
    clientCpu
  }
}
