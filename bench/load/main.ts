import { handshake } from './handshake.js'
import { idle } from './idle.js'
import { issue } from './issue.js'
import { gateway } from './gateway.js'
import { pingpong } from './pingpong.js'
import type { Job, Result, Scenario } from './job.js'

/** The load generator: one job from argv, its result over IPC, then exit. */
const scenarios: Record<Scenario, (job: Job) => Promise<Result>> = { issue, handshake, idle, pingpong, gateway }
const job = JSON.parse(process.argv[2]) as Job
try {
  const result = await scenarios[job.scenario](job)
  process.send?.({ kind: 'result', result }, () => process.exit(0))
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
}
