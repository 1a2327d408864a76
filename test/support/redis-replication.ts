import { Redis } from 'ioredis'
import { startProxy } from './proxy.js'
import { FAST_SYNC, RedisProcess, freePort, startRedis } from './redis.js'

/**
 * Replicated Redis topologies of our own for the failover tests: a master
 * with two replicas watched by three sentinels, and (in redis.ts) a cluster
 * with a replica per master. Everything is polled with a deadline.
 */
type Tap = { teardown: (fn: () => unknown) => void }

/** Poll `check` every 50 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function until (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** One command on a short-lived connection; rejects when the server is down. */
export async function command (port: number, ...args: Array<string | number>): Promise<unknown> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 })
  redis.on('error', () => undefined)
  try {
    await redis.connect()
    return await redis.call(String(args[0]), ...args.slice(1).map(String))
  } finally {
    redis.disconnect()
  }
}

/** The `INFO replication` fields of a server, or undefined while it does not answer. */
export async function replication (port: number): Promise<Record<string, string> | undefined> {
  const info = await command(port, 'INFO', 'replication').catch(() => undefined) as string | undefined
  if (info === undefined) return undefined
  return Object.fromEntries(info.split('\r\n').filter(line => line.includes(':')).map(line => line.split(':', 2) as [string, string]))
}

/** True once `port` is a master with at least `count` replicas in sync (state=online). */
/** A write on `port` is acknowledged by `replicas` replicas within `timeoutMs` (a replica just online may not answer yet). */
export async function acknowledges (port: number, replicas: number, timeoutMs: number): Promise<boolean> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 })
  redis.on('error', () => undefined)
  try {
    await redis.connect()
    await redis.set('wsauth-test:ack-probe', '1', 'PX', 1000)
    return await redis.wait(replicas, timeoutMs) >= replicas
  } finally {
    redis.disconnect()
  }
}

export async function hasReplicas (port: number, count: number): Promise<boolean> {
  const info = await replication(port)
  if (info?.role !== 'master') return false
  return Object.entries(info).filter(([key, value]) => /^slave\d+$/.test(key) && value.includes('state=online')).length >= count
}

const MASTER_NAME = 'wsauth-test'
const FAILOVER_TIMEOUT_MS = 8000
/** Long enough for a promotion whose first election split the sentinels (retried after 2x the failover timeout). */
export const PROMOTION_DEADLINE_MS = 2 * FAILOVER_TIMEOUT_MS + 10_000

/**
 * A master, two replicas and three sentinels (quorum 2) that fail over one
 * second after the master stops answering. The replicas reach the master
 * through proxies that hold replication traffic `replicationDelayMs` each way,
 * as a real network lags. Resolves once every sentinel knows the other two and
 * both replicas, so a failover can be elected at once.
 */
export async function startSentinelGroup (t: Tap, opts: { replicationDelayMs?: number } = {}) {
  const master = await startRedis(t, { extra: FAST_SYNC })
  const links = await Promise.all([0, 1].map(async () => {
    const link = await startProxy({ port: master.port })
    t.teardown(() => link.close())
    link.delay(opts.replicationDelayMs ?? 0)
    return link
  }))
  const replicas = await Promise.all(links.map(async link => await startRedis(t, { extra: [...FAST_SYNC, '--replicaof', '127.0.0.1', String(link.port)] })))
  await until('both replicas to sync', async () => await hasReplicas(master.port, 2))
  const config = [
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
    // 2x this: how long until a replica replicating through a proxy is "fixed" to the master's own address
    // (long enough for a test to finish first), and until an election split between sentinels is retried.
    `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
    `sentinel parallel-syncs ${MASTER_NAME} 2`
  ].join('\n') + '\n'
  const sentinels = await Promise.all([0, 1, 2].map(async () => {
    const sentinel = new RedisProcess(await freePort(), ['--sentinel'], config)
    t.teardown(() => sentinel.dispose())
    await sentinel.start()
    return sentinel
  }))
  await until('the sentinels to discover each other and the replicas', async () => {
    const views = await Promise.all(sentinels.map(async s => await command(s.port, 'SENTINEL', 'MASTER', MASTER_NAME) as string[]))
    return views.every(view => {
      const fields = Object.fromEntries(view.flatMap((v, i) => i % 2 === 0 ? [[v, view[i + 1]]] : []))
      return fields['num-other-sentinels'] === '2' && fields['num-slaves'] === '2'
    })
  })
  return {
    master,
    replicas,
    sentinels,
    /** The network between master and replicas fails: what is still in flight is lost. */
    cutReplication: async () => { await Promise.all(links.map(async link => { await link.stop() })) },
    env: { REDIS_SENTINELS: sentinels.map(s => s.address).join(','), REDIS_SENTINEL_NAME: MASTER_NAME },
    /** The port the sentinels currently name as master. */
    masterPort: async () => Number((await command(sentinels[0].port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME) as string[])[1])
  }
}

/** Resolves once every replica of the master on `port` has processed everything the master had written when called. */
export async function settled (port: number): Promise<void> {
  const offset = Number((await replication(port))?.master_repl_offset)
  await until('the replicas to catch up', async () => {
    const info = await replication(port) ?? {}
    const replicas = Object.entries(info).filter(([key]) => /^slave\d+$/.test(key))
    return replicas.length > 0 && replicas.every(([, value]) => Number(/offset=(\d+)/.exec(value)?.[1]) >= offset)
  })
}
