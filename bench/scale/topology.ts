import type { ChildProcess } from 'node:child_process'
import { redisCluster } from '../../test/support/redis.js'
import { PRELOAD, SERVICE, listening, freePort } from '../lib/targets.js'
import { ALL_CPUS, nextMessage, rssBytes, spawnNode, stop } from '../lib/proc.js'
import { BENCH_SECRET, BENCH_SERVER_KEY } from '../lib/wire.js'
import { cleanup } from './cleanup.js'

/** The backend API's key (PROTOCOL.md §6) every instance accepts. */
export const BACKEND_KEY = 'scale-backend-api-key-0123456789abcdef'

/**
 * One instance of the service, `npm start` as built, with the benchmark's
 * preload (GC on request, as `npm run bench` does); restartable on the same
 * port with the same environment.
 */
export class Instance {
  child: ChildProcess | undefined
  constructor (readonly port: number, private readonly env: Record<string, string>) {}

  get pid (): number { return this.child?.pid as number }

  async start (): Promise<void> {
    const child = cleanup.track(spawnNode(SERVICE, [], ALL_CPUS, { ...this.env, PORT: String(this.port) }, ['--expose-gc', `--import=${PRELOAD}`]))
    let tail = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { tail = (tail + chunk).slice(-2000) })
    this.child = child
    try {
      await listening(child, this.port)
    } catch (err) {
      throw new Error(`instance on port ${this.port} did not start: ${(err as Error).message} ${tail.trim()}`)
    }
  }

  /**
   * Resident memory after a full GC, net of V8's young generation (sized by the
   * recent allocation rate, not by what is held: see docs/benchmarks.md, idle).
   */
  async memory (): Promise<number> {
    const child = this.child as ChildProcess
    child.send({ kind: 'gc' })
    const { young } = await nextMessage(child, (m: { kind?: string, young?: number }) => m.kind === 'gc-done' ? m as { young: number } : undefined)
    return rssBytes(this.pid) - young
  }

  /** SIGTERM, as an orchestrator stops it, and wait for the exit; its code is returned. */
  async stop (): Promise<number | null> {
    const child = this.child as ChildProcess
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
    await stop(child, 30_000)
    return await exited
  }
}

/**
 * The service's environment on the cluster: production mode, the bench
 * credentials, the backend API on, and the per-IP and per-user rate limits
 * raised (every socket of a run comes from a handful of loopback addresses,
 * or from the balancer's one). MAX_SESSIONS_PER_USER stays at its default.
 */
export function instanceEnv (clusterNodes: string, keyPrefix: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    JWT_SECRET: BENCH_SECRET,
    CHAT_SERVER_KEYS: BENCH_SERVER_KEY,
    BACKEND_API_KEYS: BACKEND_KEY,
    REDIS_CLUSTER_NODES: clusterNodes,
    REDIS_KEY_PREFIX: keyPrefix,
    TICKET_RATE_LIMIT: '1000000000',
    MESSAGE_RATE_LIMIT: '1000000000',
    MAX_CONNECTIONS_PER_IP: '1000000'
  }
}

export interface Topology {
  clusterNodes: string
  keyPrefix: string
  instances: Instance[]
}

/** A Redis Cluster (3 masters, 3 replicas) and `count` instances on it, each on a port of its own. */
export async function startTopology (count: number): Promise<Topology> {
  const clusterNodes = await redisCluster(cleanup, { replicas: 1 })
  const keyPrefix = `wsauth-scale:${process.pid}:`
  const env = instanceEnv(clusterNodes, keyPrefix)
  const instances = await Promise.all(Array.from({ length: count }, async () => new Instance(await freePort(), env)))
  await Promise.all(instances.map(async i => { await i.start() }))
  return { clusterNodes, keyPrefix, instances }
}
