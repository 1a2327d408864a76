import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import { SERVER_CPU, nextMessage, spawnNode } from './proc.js'
import { BENCH_SECRET, BENCH_SERVER_KEY } from './wire.js'
import type { Flavor, Scenario } from '../load/job.js'

export type TargetName = 'bare' | 'memory' | 'redis'
export const REDIS_URL = 'redis://127.0.0.1:6379'

const serverScript = (name: string): string => fileURLToPath(new URL(`../servers/${name}.js`, import.meta.url))

/** Which baseline does the same wire work as the service in each scenario. */
const BARE_MODE: Record<Scenario, 'http' | 'flow' | 'ws'> = { issue: 'http', handshake: 'flow', idle: 'ws', pingpong: 'ws' }

/**
 * The service's environment in every run: production mode with real
 * credentials, default logging (info, to /dev/null), and the per-user and
 * per-connection limits raised so they are checked on every request but are
 * not what is measured.
 */
export function serviceEnv (target: TargetName): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET: BENCH_SECRET,
    CHAT_SERVER_KEYS: `${BENCH_SERVER_KEY},second-key,third-key`,
    TICKET_RATE_LIMIT: '1000000000',
    MESSAGE_RATE_LIMIT: '1000000000',
    MAX_CONNECTIONS_PER_IP: '1000000',
    ...(target === 'redis' ? { REDIS_URL } : {})
  }
}

export interface Server {
  child: ChildProcess
  pid: number
  port: number
  flavor: Flavor
  /** The last lines the server wrote to stderr, for error messages. */
  stderr: () => string
}

/** Start the server for one measurement, pinned to the server core, and wait until it listens. */
export async function startServer (target: TargetName, scenario: Scenario): Promise<Server> {
  const child = target === 'bare'
    ? spawnNode(serverScript('bare'), [BARE_MODE[scenario]], SERVER_CPU, {}, ['--expose-gc'])
    : spawnNode(serverScript('service'), [], SERVER_CPU, serviceEnv(target), ['--expose-gc'])
  let tail = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { tail = (tail + chunk).slice(-2000) })
  try {
    const port = await nextMessage(child, (m: { kind?: string, port?: number }) => m.kind === 'ready' ? m.port : undefined, 30_000)
    return { child, pid: child.pid as number, port, flavor: target === 'bare' ? 'bare' : 'service', stderr: () => tail }
  } catch (err) {
    // Let stderr drain before reporting why the server did not start.
    await new Promise(resolve => setTimeout(resolve, 100))
    const reason = tail.split('\n').find(line => /Error/.test(line)) ?? String(err)
    throw new Error(`${target} server did not start: ${reason.trim()}`)
  }
}
