import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { loadConfig, type RedisConfig } from '../src/config.js'
import { createRedisClient } from '../src/stores/redis-client.js'
import { createRedisStore, redisStoreOptions, type RedisStore } from '../src/stores/redis.js'
import { Samples, fmt, median } from './lib/stats.js'

/**
 * `node dist/bench/wait.js`: what REDIS_WAIT_REPLICAS=1 costs a ticket consume
 * (one per authentication or refresh), against a master and one replica on
 * loopback started here. Sequential consumes give the latency added per
 * authentication; 64 concurrent ones give the throughput of one instance's
 * consume connection. Three runs each; the median is printed.
 */
const SEQUENTIAL = 2000
const CONCURRENT = 20_000
const WORKERS = 64
const RUNS = 3

const children: ChildProcess[] = []
process.on('exit', () => { for (const child of children) child.kill('SIGKILL') })

async function freePort (): Promise<number> {
  return await new Promise(resolve => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function redisServer (...args: string[]): Promise<number> {
  const port = await freePort()
  children.push(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' }))
  for (;;) {
    const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => null })
    probe.on('error', () => undefined)
    const up = await probe.connect().then(() => true, () => false)
    probe.disconnect()
    if (up) return port
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function storeWith (port: number, waitReplicas: number): Promise<RedisStore> {
  const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: `bench:${randomBytes(4).toString('hex')}:`, REDIS_WAIT_REPLICAS: String(waitReplicas) }).redis as RedisConfig
  return await createRedisStore(createRedisClient(config), redisStoreOptions(config))
}

async function issue (store: RedisStore, count: number): Promise<string[]> {
  const digests = Array.from({ length: count }, () => randomBytes(32).toString('hex'))
  const record = { userId: 'bench', chatServerKey: 'UD21', clientIp: '127.0.0.1', createdAt: Date.now(), expiresAt: Date.now() + 600_000 }
  for (let i = 0; i < count; i += 1000) await Promise.all(digests.slice(i, i + 1000).map(async d => { await store.issueTicket(d, record) }))
  return digests
}

/** p50/p99 ms of one consume at a time, and consumes per second with WORKERS in flight. */
async function measure (store: RedisStore) {
  const samples = new Samples()
  for (const digest of await issue(store, SEQUENTIAL)) {
    const started = performance.now()
    const result = await store.consumeTicket(digest)
    samples.push(performance.now() - started)
    if (result.status !== 'ok') throw new Error(`consume answered ${result.status}`)
  }
  const digests = await issue(store, CONCURRENT)
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: WORKERS }, async () => {
    while (next < digests.length) await store.consumeTicket(digests[next++])
  }))
  return { ...samples.summary(), perSecond: CONCURRENT / ((performance.now() - started) / 1000) }
}

const master = await redisServer('--repl-diskless-sync-delay', '0')
const replica = await redisServer('--replicaof', '127.0.0.1', String(master))
const admin = new Redis({ port: master })
while (!/slave0:.*state=online/.test(await admin.info('replication'))) await new Promise(resolve => setTimeout(resolve, 50))
admin.disconnect()
void replica

console.log(`consume, master + 1 replica on loopback (redis-server ${spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.split(' ')[2]})`)
console.log('REDIS_WAIT_REPLICAS | sequential p50 ms | p99 ms | consumes/s with 64 in flight')
for (const waitReplicas of [0, 1]) {
  const runs = []
  for (let run = 0; run < RUNS; run++) {
    const store = await storeWith(master, waitReplicas)
    runs.push(await measure(store))
    await store.close()
  }
  console.log(`${waitReplicas} | ${fmt(median(runs.map(r => r.p50)), 3)} | ${fmt(median(runs.map(r => r.p99)), 3)} | ${fmt(median(runs.map(r => r.perSecond)))}`)
}
process.exit(0)
