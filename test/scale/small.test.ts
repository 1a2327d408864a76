import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { REDIS_MISSING } from '../support/redis.js'

/**
 * `npm run scale` at a small size, so the scale run cannot rot: 2 instances on
 * a Redis Cluster (3 masters, 3 replicas) behind HAProxy, 200 held
 * sockets (20 users, 10 sockets each, 5 on each instance), backend-API pushes
 * for a second and 5 users revoked through the balancer, 100 SDK clients
 * through one rolling restart. The run asserts its
 * own correctness checks (every accepted push on every socket of its user,
 * every revoked socket closed 4007, every client back, no ticket redeemed
 * twice, no orphaned session) and exits 1 when one fails. It runs the built tool
 * (dist/, made by `npm ci` / `npm run build`), as `npm run scale` does.
 */
const RUN = fileURLToPath(new URL('../../dist/bench/scale/run.js', import.meta.url))
const haproxy = await new Promise<boolean>(resolve => {
  spawn('haproxy', ['-v'], { stdio: 'ignore' }).once('error', () => resolve(false)).once('exit', code => resolve(code === 0))
})
const HAPROXY_MISSING = haproxy ? undefined : 'haproxy not found on PATH (Debian: apt-get install -y haproxy)'
if (HAPROXY_MISSING !== undefined) {
  if (process.env.CI === 'true') throw new Error(`the scale test cannot run under CI=true: ${HAPROXY_MISSING}`)
  process.stderr.write(`\n${'!'.repeat(72)}\n!!! SKIPPING THE SCALE TEST: ${HAPROXY_MISSING}\n${'!'.repeat(72)}\n\n`)
}

t.test('npm run scale › 2 instances behind HAProxy, push, revoke, rolling restart: every push and revocation reached every socket, every client back, no double redemption, no orphaned session', {
  // ~20 s alone; the margin is for a full, parallel `npm test` on a busy machine.
  skip: HAPROXY_MISSING ?? REDIS_MISSING, timeout: 110_000
}, async t => {
  t.ok(existsSync(RUN), 'the scale run is built (npm run build)')
  const dir = mkdtempSync(join(tmpdir(), 'wsauth-scale-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const json = join(dir, 'report.json')
  // The SDK's retry delay is capped at 2 s (30 s by default): the checks, not the clients' patience, are under test.
  const args = ['--instances', '2', '--sockets', '200', '--clients', '100', '--rate-seconds', '1', '--push-seconds', '1', '--revoke-users', '5', '--settle-seconds', '1', '--backoff-max-ms', '2000', '--json', json]
  // A measuring instrument run as a black box, like `npm run scale`: tap's process tracking (which adds its
  // NODE_OPTIONS back to every child it sees spawned) is dropped by `env -u`, so bench/ stays outside the
  // coverage gate, where it always was; what the run checks is asserted here from its report.
  const untracked = Object.keys(process.env).filter(k => /^(_TAPJS_PROCESSINFO_|NODE_OPTIONS$|NODE_V8_COVERAGE$)/.test(k)).flatMap(k => ['-u', k])
  const child = spawn('env', [...untracked, process.execPath, RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  t.teardown(() => {
    // Still running at the deadline: show where it was before stopping it (it cleans up on SIGINT).
    if (child.exitCode === null) process.stderr.write(`scale run still running, its output so far:\n${output.slice(-4000)}\n`)
    child.kill('SIGINT')
  })
  child.stdout.on('data', (chunk) => { output += String(chunk) })
  child.stderr.on('data', (chunk) => { output += String(chunk) })
  const code = await new Promise(resolve => child.once('exit', resolve))
  t.equal(code, 0, 'the run passed its own checks', { output })

  const report = JSON.parse(readFileSync(json, 'utf8'))
  t.same(report.failures, [])
  t.equal(report.hold.opened, 200, 'every held socket authenticated')
  t.ok(report.rate.handshakes > 0, 'handshakes went through the balancer')
  t.ok(report.push.pushes > 0, 'pushes were accepted through the balancer')
  t.equal(report.push.expected, report.push.pushes * 10, 'each push was for a user with 10 sockets, 5 on each instance')
  t.equal(report.push.delivered, report.push.expected, 'every accepted push reached every socket of its user')
  // A refusal (a 503 from an overloaded machine) is reported, not a failure: the checks are on what was accepted.
  t.ok(report.revoke.users > 0, 'revocations were accepted through the balancer')
  t.equal(report.revoke.sockets, report.revoke.users * 10, 'each revoked user had 10 sockets, 5 on each instance')
  t.equal(report.revoke.closes, report.revoke.sockets, 'every socket of the revoked users closed 4007 after session_revoked')
  t.equal(report.restart.restarts.length, 2, 'both instances were restarted')
  t.ok(report.restart.restarts.every((r: { reauthenticated: number }) => r.reauthenticated > 0), 'each restart moved clients')
  t.equal(report.restart.open, 100, 'every SDK client is authenticated at the end')
  t.equal(report.restart.doubles, 0, 'no ticket was redeemed twice')
  t.equal(report.restart.replay.accepted, 0, 'spent tickets are refused on replay')
  t.match(report.restart.store, { orphaned: 0, missing: 0, sessionKeys: 100, live: 100 }, 'the store holds exactly the live sessions')
  t.equal(report.released.left, 0, 'the dropped sockets left no session behind')
})
