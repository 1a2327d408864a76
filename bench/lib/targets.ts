import { fileURLToPath } from 'node:url'
import { connect, createServer, type AddressInfo } from 'node:net'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SERVER_CPU, nextMessage, spawnNode, stop } from './proc.js'
import { startUpstreamEcho } from './upstream-echo.js'
import { BENCH_SECRET, BENCH_SERVER_KEY } from './wire.js'
import type { Flavor, Scenario } from '../load/job.js'

/** `pipe`: the gateway scenario's floor, a raw TCP byte pipe to the same upstream echo (bench/servers/pipe.ts). */
export type TargetName = 'bare' | 'memory' | 'redis' | 'pipe' | Peer
/** Other servers measured in the same run: the guides' own Express code and Socket.IO with JWT auth. */
export type Peer = 'seeds' | 'socketio'
export const PEER_SCENARIOS: Record<Peer, Scenario[]> = { seeds: ['handshake'], socketio: ['handshake', 'pingpong', 'idle'] }
export const isPeer = (target: TargetName): target is Peer => target in PEER_SCENARIOS
export const REDIS_URL = 'redis://127.0.0.1:6379'
let redisServers = 0
/** Targets on the local Redis: their keys get a prefix of their own and Redis's CPU is reported. */
export const usesRedis = (target: TargetName): boolean => target === 'redis' || target === 'seeds'

const serverScript = (name: string): string => fileURLToPath(new URL(`../servers/${name}.js`, import.meta.url))
/** The service is `npm start` itself: dist/src/server.js, with the benchmark's IPC preloaded. */
export const SERVICE = fileURLToPath(new URL('../../src/server.js', import.meta.url))
export const PRELOAD = new URL('../servers/preload.js', import.meta.url).href
/** The guides' CommonJS files are run from the source tree, as their guide has them (not compiled). */
const SEEDS_APP = fileURLToPath(new URL('../../../bench/servers/seeds/app.js', import.meta.url))

/** Which baseline does the same wire work as the service in each scenario. */
const BARE_MODE: Record<Scenario, 'http' | 'flow' | 'ws'> = { issue: 'http', handshake: 'flow', idle: 'ws', pingpong: 'ws', gateway: 'ws' }

/**
 * The service's environment in every run: production mode with real
 * credentials, default logging (info, to /dev/null), and the per-user and
 * per-connection limits raised so they are checked on every request but are
 * not what is measured.
 */
export function serviceEnv (target: TargetName, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    JWT_SECRET: BENCH_SECRET,
    CHAT_SERVER_KEYS: `${BENCH_SERVER_KEY},second-key,third-key`,
    TICKET_RATE_LIMIT: '1000000000',
    MESSAGE_RATE_LIMIT: '1000000000',
    MAX_CONNECTIONS_PER_IP: '1000000',
    // Each Redis server gets its own key prefix, so sessions left by an earlier run
    // (or by anyone else on this shared Redis) never count against MAX_SESSIONS_PER_USER.
    ...(usesRedis(target) ? { REDIS_URL, REDIS_KEY_PREFIX: `wsauth-bench:${process.pid}-${++redisServers}:` } : {}),
    ...extra
  }
}

export interface Server {
  child: ChildProcess
  pid: number
  port: number
  flavor: Flavor
  /** The guides' code: its WebSocket port, and the scratch directory its log files go to (removed after). */
  wsPort?: number
  scratch?: string
  /** Redis only: the key prefix this server writes under, deleted after the measurement. */
  redisPrefix?: string
  /** The last lines the server wrote to stderr, for error messages. */
  stderr: () => string
  /** Gateway scenario: the upstream echo the service relays to, stopped with the server. */
  upstream?: ChildProcess
}

/** A port nobody listens on right now. */
export function freePort (): Promise<number> {
  return new Promise(resolve => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** Resolve once something accepts connections on the port; reject if the child exits first. */
export async function listening (child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`)
    const up = await new Promise<boolean>(resolve => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
    if (up) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error('not listening after 30 s')
}

/**
 * The guides' Express app (HTTP on PORT, WebSocket on WS_PORT) on the local Redis, under a key
 * prefix of its own, writing its log files in a scratch directory.
 */
function spawnSeeds (port: number, wsPort: number, prefix: string, scratch: string): ChildProcess {
  const env = {
    NODE_ENV: 'production', PORT: String(port), WS_PORT: String(wsPort), JWT_SECRET: BENCH_SECRET, BENCH_KEY_PREFIX: prefix, TICKET_RATE_LIMIT: '1000000000'
  }
  return spawnNode(SEEDS_APP, [], SERVER_CPU, env, ['--expose-gc', `--import=${PRELOAD}`], scratch)
}

/** The child process of a target, and the ports it will listen on (0: it announces its port itself). */
async function spawnTarget (target: TargetName, scenario: Scenario, env: Record<string, string>): Promise<{ child: ChildProcess, port: number, wsPort?: number, scratch?: string }> {
  if (target === 'bare') return { child: spawnNode(serverScript('bare'), [BARE_MODE[scenario]], SERVER_CPU, {}, ['--expose-gc']), port: 0 }
  if (target === 'pipe') return { child: spawnNode(serverScript('pipe'), [], SERVER_CPU, env, ['--expose-gc']), port: 0 }
  if (target === 'socketio') return { child: spawnNode(serverScript('socketio'), [], SERVER_CPU, { JWT_SECRET: BENCH_SECRET }, ['--expose-gc']), port: 0 }
  const port = await freePort()
  if (target === 'seeds') {
    const wsPort = await freePort()
    const scratch = mkdtempSync(join(tmpdir(), 'wsauth-seeds-'))
    return { child: spawnSeeds(port, wsPort, env.REDIS_KEY_PREFIX, scratch), port, wsPort, scratch }
  }
  return { child: spawnNode(SERVICE, [], SERVER_CPU, { ...env, PORT: String(port) }, ['--expose-gc', `--import=${PRELOAD}`]), port }
}

/** Start the server for one measurement, pinned to the server core, and wait until it listens. */
export async function startServer (target: TargetName, scenario: Scenario, extraEnv: Record<string, string> = {}): Promise<Server> {
  const upstream = scenario === 'gateway' && target !== 'bare' ? await startUpstreamEcho() : undefined
  const env = serviceEnv(target, { ...upstream?.env, ...extraEnv })
  const { child, port: chosen, wsPort, scratch } = await spawnTarget(target, scenario, env)
  let port = chosen
  let tail = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { tail = (tail + chunk).slice(-2000) })
  try {
    if (port === 0) port = await nextMessage(child, (m: { kind?: string, port?: number }) => m.kind === 'ready' ? m.port : undefined, 30_000)
    else for (const p of [port, wsPort ?? port]) await listening(child, p)
    // The pipe is transparent: its clients speak to the echo behind it as the bare row's do.
    const flavor: Flavor = target === 'memory' || target === 'redis' ? 'service' : target === 'pipe' ? 'bare' : target
    return {
      child, pid: child.pid as number, port, wsPort, scratch, flavor, redisPrefix: usesRedis(target) ? env.REDIS_KEY_PREFIX : undefined, stderr: () => tail, upstream: upstream?.child
    }
  } catch (err) {
    if (upstream !== undefined) await stop(upstream.child)
    // Let stderr drain before reporting why the server did not start.
    await new Promise(resolve => setTimeout(resolve, 100))
    const reason = tail.trim().split('\n').filter(line => line.trim() !== '').pop() ?? String(err)
    throw new Error(`${target} server did not start: ${reason.trim()}`)
  }
}
