import { fileURLToPath } from 'node:url'
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { connect } from 'node:net'
import { CLIENT_CPU, cpuSeconds, machineBusySeconds, nextMessage, rssBytes, spawnNode, stop } from './proc.js'
import { REDIS_URL, startServer, usesRedis, type Server, type TargetName } from './targets.js'
import type { Job, Result, Scenario } from '../load/job.js'

const loadScript = fileURLToPath(new URL('../load/main.js', import.meta.url))

/** The pid of the local redis-server, so its CPU per operation can be reported too. */
function redisPid (): number | undefined {
  const info = spawnSync('redis-cli', ['-u', REDIS_URL, 'info', 'server'], { encoding: 'utf8' })
  const match = /process_id:(\d+)/.exec(info.stdout ?? '')
  return match === null ? undefined : Number(match[1])
}

/** Delete every key under the prefix one Redis measurement wrote (after it, so not measured). */
function clearRedisKeys (prefix: string): void {
  const script = "local k = redis.call('KEYS', ARGV[1]) for i = 1, #k, 1000 do redis.call('UNLINK', unpack(k, i, math.min(i + 999, #k))) end return #k"
  spawnSync('redis-cli', ['-u', REDIS_URL, 'eval', script, '0', `${prefix}*`], { encoding: 'utf8' })
}

/** Why the Redis rows cannot run, or undefined when they can. */
export async function redisUnavailable (): Promise<string | undefined> {
  const reachable = await new Promise<boolean>(resolve => {
    const socket = connect(6379, '127.0.0.1')
    socket.setTimeout(1000, () => { socket.destroy(); resolve(false) })
    socket.once('connect', () => { socket.end(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
  if (!reachable) return `no Redis at ${REDIS_URL}`
  try {
    const server = await startServer('redis', 'issue')
    await stop(server.child)
    if (server.upstream !== undefined) await stop(server.upstream)
    if (server.redisPrefix !== undefined) clearRedisKeys(server.redisPrefix)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

/** Send a command to the server child and wait for its acknowledgement. */
function ask<T> (server: Server, msg: Record<string, unknown>, answer: string, pick: (m: any) => T = () => true as T): Promise<T> {
  server.child.send(msg)
  return nextMessage(server.child, (m: { kind?: string }) => m.kind === answer ? pick(m) : undefined)
}

/**
 * Answer the load generator's probes: the server's CPU and RSS now, after a
 * full GC when asked. With `profileFile`, the server is profiled from the
 * first probe to the second: the measured window.
 */
function answerProbes (load: ReturnType<typeof spawnNode>, server: Server, redis: number | undefined, { profileFile, heapPrefix }: MeasureOptions): void {
  let heapUsed = 0
  let young = 0
  let probes = 0
  load.on('message', async (msg: { kind?: string, gc?: boolean }) => {
    if (msg.kind !== 'probe') return
    probes++
    if (msg.gc === true) ({ heapUsed, young } = await ask(server, { kind: 'gc' }, 'gc-done', m => m as { heapUsed: number, young: number }))
    const reading = { cpu: cpuSeconds(server.pid), machine: machineBusySeconds(), rss: rssBytes(server.pid) }
    if (msg.gc === true && heapPrefix !== undefined) await ask(server, { kind: 'heap-snapshot', file: `${heapPrefix}-${probes}.heapsnapshot` }, 'heap-written')
    load.send({
      kind: 'probe-result',
      ...reading,
      heapUsed,
      young,
      redisCpu: redis === undefined ? undefined : cpuSeconds(redis)
    })
    // Started after the first reading and stopped after the second, so the profiler's own work is not counted.
    if (profileFile !== undefined && probes === 1) await ask(server, { kind: 'profile-start' }, 'profile-started')
    if (profileFile !== undefined && probes === 2) await ask(server, { kind: 'profile-stop', file: profileFile }, 'profile-stopped')
  })
}

/** One measurement: a fresh server, a fresh load generator on the other core, the result. */
export interface MeasureOptions {
  /** Write a CPU profile of the server's measured window here. */
  profileFile?: string
  /** Write heap snapshots of the server at every GC'd probe (idle: before and after the sockets), named from this prefix. */
  heapPrefix?: string
  /** Extra environment for the service (e.g. LOG_LEVEL=warn to price the request log). */
  env?: Record<string, string>
}

export async function measure (scenario: Scenario, target: TargetName, job: Omit<Job, 'scenario' | 'flavor' | 'port'>, opts: MeasureOptions = {}): Promise<Result> {
  const server = await startServer(target, scenario, opts.env)
  const load = spawnNode(loadScript, [JSON.stringify({ ...job, scenario, flavor: server.flavor, port: server.port, wsPort: server.wsPort })], CLIENT_CPU, {})
  let loadErr = ''
  load.stderr?.setEncoding('utf8').on('data', (chunk: string) => { loadErr = (loadErr + chunk).slice(-2000) })
  answerProbes(load, server, usesRedis(target) ? redisPid() : undefined, opts)
  try {
    const result = await nextMessage(load, (m: { kind?: string, result?: Result }) => m.kind === 'result' ? m.result : undefined, 300_000)
    if (loadErr !== '') process.stderr.write(`  ${scenario}/${target} load generator: ${loadErr.trim()}\n`)
    return result
  } catch (err) {
    throw new Error(`${scenario}/${target}: ${(err as Error).message}; load: ${loadErr.trim()}; server: ${server.stderr().trim()}`)
  } finally {
    await stop(load)
    await stop(server.child)
    if (server.upstream !== undefined) await stop(server.upstream)
    if (server.redisPrefix !== undefined) clearRedisKeys(server.redisPrefix)
    if (server.scratch !== undefined) rmSync(server.scratch, { recursive: true, force: true })
  }
}
