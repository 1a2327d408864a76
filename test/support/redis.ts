import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { loadConfig, type RedisConfig } from '../../src/config.js'
import { createRedisStore, redisStoreOptions, type RedisStore } from '../../src/stores/redis.js'
import { createRedisClient, type StoreLogger } from '../../src/stores/redis-client.js'

/**
 * Real Redis for the tests: REDIS_URL / REDIS_CLUSTER_NODES when set,
 * otherwise throwaway `redis-server` processes on free ports (no persistence
 * unless asked), killed at teardown. Without redis-server on PATH the Redis
 * suites are skipped with a loud notice, except under CI=true where they fail.
 */
type Tap = { teardown: (fn: () => unknown) => void }

const onPath = spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0

/** Why the Redis suites cannot run here, or undefined when they can: use as `{ skip: REDIS_MISSING }`. */
export const REDIS_MISSING = onPath ? undefined : 'redis-server / redis-cli not found on PATH'
if (REDIS_MISSING !== undefined) {
  if (process.env.CI === 'true') throw new Error(`Redis tests cannot run under CI=true: ${REDIS_MISSING}`)
  process.stderr.write(`\n${'!'.repeat(72)}\n!!! SKIPPING REDIS TESTS: ${REDIS_MISSING}\n${'!'.repeat(72)}\n\n`)
}

const children = new Set<ChildProcess>()
// A crashed or killed test process (tap's timeout sends SIGTERM) must not leave servers behind.
const killAll = (): void => { for (const child of children) { child.kill('SIGCONT'); child.kill('SIGKILL') } }
process.on('exit', killAll)
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => { killAll(); process.kill(process.pid, signal) })
}

export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer().once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Resolves once the server on `port` answers PING, within `timeoutMs`. */
async function answers (port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const pong = await new Promise<boolean>(resolve => {
      const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
      socket.once('data', data => { socket.destroy(); resolve(/^(\+PONG|-NOAUTH)/.test(data.toString())) })
      socket.once('error', () => resolve(false))
    })
    if (pong) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`)
}

/**
 * One redis-server process that the test controls: stop it, start it again on
 * the same port and data dir. `config` is written to a file first (a sentinel
 * needs one it can rewrite; a restart keeps the rewritten one).
 */
export class RedisProcess {
  private child: ChildProcess | undefined
  readonly dir = mkdtempSync(join(tmpdir(), 'wsauth-redis-'))
  constructor (readonly port: number, private readonly args: string[], private readonly config?: string) {}

  get url (): string { return `redis://127.0.0.1:${this.port}` }
  get address (): string { return `127.0.0.1:${this.port}` }

  async start (): Promise<void> {
    const file = join(this.dir, 'redis.conf')
    if (this.config !== undefined && !existsSync(file)) writeFileSync(file, this.config)
    const configArgs = this.config === undefined ? [] : [file]
    const child = spawn('redis-server', [...configArgs, '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, ...this.args], { stdio: 'ignore' })
    children.add(child)
    child.once('exit', () => children.delete(child))
    this.child = child
    await answers(this.port)
  }

  /** Kill the server (SIGKILL: a crash, not a clean shutdown) and wait until it is gone. */
  async stop (): Promise<void> {
    const child = this.child
    this.child = undefined
    if (child === undefined || child.exitCode !== null) return
    await new Promise(resolve => { child.once('exit', resolve); child.kill('SIGKILL') })
  }

  /** Freeze the server (SIGSTOP): connections stay open but nothing answers, as with a hung host. */
  pause (): void { this.child?.kill('SIGSTOP') }
  resume (): void { this.child?.kill('SIGCONT') }

  async dispose (): Promise<void> {
    this.resume()
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/**
 * A fresh server of our own. `durable` keeps every write (AOF, fsync always)
 * so a test can kill and restart it without losing data.
 */
export async function startRedis (t: Tap, opts: { durable?: boolean, extra?: string[], config?: string } = {}): Promise<RedisProcess> {
  const persistence = opts.durable === true ? ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'] : ['--save', '', '--appendonly', 'no']
  const server = new RedisProcess(await freePort(), [...persistence, ...opts.extra ?? []], opts.config)
  t.teardown(() => server.dispose())
  await server.start()
  return server
}

/** A Redis URL for tests that only need one: REDIS_URL when set, else a server of our own. */
export async function redisUrl (t: Tap): Promise<string> {
  return process.env.REDIS_URL ?? (await startRedis(t)).url
}

/** A replica (re)attaching is served at once, not after the default 5 s wait for others to join the transfer. */
export const FAST_SYNC = ['--repl-diskless-sync-delay', '0']

/** A real 3-master cluster (`host:port,…`): REDIS_CLUSTER_NODES when set, else three servers of our own. */
export async function redisCluster (t: Tap): Promise<string> {
  return process.env.REDIS_CLUSTER_NODES ?? (await startCluster(t)).addresses
}

/** A cluster of our own: 3 masters with `replicas` replicas each; `nodeTimeoutMs` is how soon a failed master is replaced. */
export async function startCluster (t: Tap, opts: { replicas?: number, nodeTimeoutMs?: number } = {}) {
  const replicas = opts.replicas ?? 0
  const nodes = await Promise.all(Array.from({ length: 3 * (1 + replicas) }, async () => await startRedis(t, {
    extra: ['--cluster-enabled', 'yes', '--cluster-port', String(await freePort()), '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 2000), ...FAST_SYNC]
  })))
  const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map(n => n.address), '--cluster-replicas', String(replicas), '--cluster-yes'], { encoding: 'utf8' })
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`)
  await clusterOk(nodes.map(n => n.port))
  return { nodes, addresses: nodes.map(n => n.address).join(',') }
}

/** Every node reports all 16384 slots served: the cluster has converged. */
async function clusterOk (ports: number[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ok = ports.every(port => {
      const info = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout
      return info.includes('cluster_state:ok') && info.includes('cluster_slots_ok:16384') && info.includes(`cluster_known_nodes:${ports.length}`)
    })
    if (ok) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('redis cluster did not converge')
}

/** A key prefix no other test (or developer sharing the server) uses. */
export const uniquePrefix = (): string => `test:${randomBytes(4).toString('hex')}:`

/** A Redis store as the service makes it: from §5 environment variables, under a key prefix of its own; closed at teardown. */
export async function redisStoreFrom (t: Tap, env: Record<string, string>, log?: StoreLogger): Promise<RedisStore> {
  const config = loadConfig({ REDIS_KEY_PREFIX: uniquePrefix(), ...env }).redis as RedisConfig
  const store = await createRedisStore(createRedisClient(config), redisStoreOptions(config, log))
  t.teardown(() => store.close())
  return store
}

/**
 * Every key under a prefix with its value, read through plain connections
 * (KEYS is fine in a test). `where` is a Redis URL, or a cluster's
 * `host:port,…`: every node is read.
 */
export async function dump (where: string, prefix: string): Promise<Array<{ key: string, value: string }>> {
  const urls = where.startsWith('redis://') ? [where] : where.split(',').map(node => `redis://${node}`)
  return (await Promise.all(urls.map(async url => await dumpNode(url, prefix)))).flat()
}

async function dumpNode (url: string, prefix: string): Promise<Array<{ key: string, value: string }>> {
  const redis = new Redis(url)
  try {
    const out = []
    for (const key of await redis.keys(`${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`)) {
      const type = await redis.type(key)
      const value = type === 'string'
        ? await redis.get(key)
        : type === 'hash' ? JSON.stringify(await redis.hgetall(key)) : JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'))
      out.push({ key, value: String(value) })
    }
    return out
  } finally {
    redis.disconnect()
  }
}
