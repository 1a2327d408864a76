import { fileURLToPath } from 'node:url'
import { connect, createServer, type AddressInfo } from 'node:net'
import type { ChildProcess } from 'node:child_process'
import { SERVER_CPU, nextMessage, spawnNode, stop } from './proc.js'
import { startUpstreamEcho } from './upstream-echo.js'
import { BENCH_SECRET, BENCH_SERVER_KEY } from './wire.js'
import type { Flavor, Scenario } from '../load/job.js'

export type TargetName = 'bare' | 'memory' | 'redis'
export const REDIS_URL = 'redis://127.0.0.1:6379'
let redisServers = 0

const serverScript = (name: string): string => fileURLToPath(new URL(`../servers/${name}.js`, import.meta.url))
/** The service is `npm start` itself: dist/src/server.js, with the benchmark's IPC preloaded. */
const SERVICE = fileURLToPath(new URL('../../src/server.js', import.meta.url))
const PRELOAD = new URL('../servers/preload.js', import.meta.url).href

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
    ...(target === 'redis' ? { REDIS_URL, REDIS_KEY_PREFIX: `wsauth-bench:${process.pid}-${++redisServers}:` } : {}),
    ...extra
  }
}

export interface Server {
  child: ChildProcess
  pid: number
  port: number
  flavor: Flavor
  /** Redis only: the key prefix this server writes under, deleted after the measurement. */
  redisPrefix?: string
  /** The last lines the server wrote to stderr, for error messages. */
  stderr: () => string
  /** Gateway scenario: the upstream echo the service relays to, stopped with the server. */
  upstream?: ChildProcess
}

/** A port nobody listens on right now. */
function freePort (): Promise<number> {
  return new Promise(resolve => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** Resolve once something accepts connections on the port; reject if the child exits first. */
async function listening (child: ChildProcess, port: number): Promise<void> {
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

/** Start the server for one measurement, pinned to the server core, and wait until it listens. */
export async function startServer (target: TargetName, scenario: Scenario, extraEnv: Record<string, string> = {}): Promise<Server> {
  let port = target === 'bare' ? 0 : await freePort()
  const upstream = scenario === 'gateway' && target !== 'bare' ? await startUpstreamEcho() : undefined
  const env = serviceEnv(target, { ...upstream?.env, ...extraEnv })
  const child = target === 'bare'
    ? spawnNode(serverScript('bare'), [BARE_MODE[scenario]], SERVER_CPU, {}, ['--expose-gc'])
    : spawnNode(SERVICE, [], SERVER_CPU, { ...env, PORT: String(port) }, ['--expose-gc', `--import=${PRELOAD}`])
  let tail = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { tail = (tail + chunk).slice(-2000) })
  try {
    if (target === 'bare') port = await nextMessage(child, (m: { kind?: string, port?: number }) => m.kind === 'ready' ? m.port : undefined, 30_000)
    else await listening(child, port)
    return {
      child, pid: child.pid as number, port, flavor: target === 'bare' ? 'bare' : 'service', redisPrefix: target === 'redis' ? env.REDIS_KEY_PREFIX : undefined, stderr: () => tail, upstream: upstream?.child
    }
  } catch (err) {
    if (upstream !== undefined) await stop(upstream.child)
    // Let stderr drain before reporting why the server did not start.
    await new Promise(resolve => setTimeout(resolve, 100))
    const reason = tail.trim().split('\n').filter(line => line.trim() !== '').pop() ?? String(err)
    throw new Error(`${target} server did not start: ${reason.trim()}`)
  }
}
