import type { Test } from 'tap'
import { createMemoryStore } from '../../src/stores/memory.js'
import type { Store } from '../../src/stores/types.js'
import { FAULTABLE, withFaults } from './faults.js'
import { startProxy, type Proxy } from './proxy.js'
import { REDIS_MISSING, redisStoreFrom, startRedis, uniquePrefix } from './redis.js'
import { postgresForTests } from './postgres.js'

/**
 * One data set shared by several service instances, with a way to break the
 * path to it. `connect()` returns a store that sees the same tickets and
 * sessions as every other store it returned (instances on one Redis or
 * PostgreSQL); `outage`, `slow` and `heal` act on every one of them.
 */
export interface BackendHandle {
  connect: () => Promise<Store>
  /** The backend is unreachable: connections refused, open ones dropped. */
  outage: () => Promise<void>
  /** Every exchange with the backend takes `ms` longer each way. */
  slow: (ms: number) => Promise<void>
  /** Back to normal. */
  heal: () => Promise<void>
}

export interface SharedBackend {
  name: string
  /** Why it cannot run here (tap's `skip`), if so. */
  skip?: string
  /** Fresh, empty data for one test, disposed of when it ends. */
  open: (t: Test) => Promise<BackendHandle>
}

/** In process: one memory store behind a fault switch; every instance gets the same object. */
const memory: SharedBackend = {
  name: 'memory',
  async open (t) {
    const real = createMemoryStore()
    t.teardown(() => real.close())
    const faults = withFaults(real)
    return {
      // Like a client of a shared server: an instance closing its store leaves the data to the others.
      connect: async () => ({ ...faults.store, close: async () => {} }),
      outage: async () => { faults.fail(...FAULTABLE) },
      slow: async (ms) => { faults.delay(ms) },
      heal: async () => { faults.heal(); faults.delay(0) }
    }
  }
}

/** A server reached through the TCP proxy: the faults are the proxy's. */
function throughProxy (t: Test, proxy: Proxy, connect: () => Promise<Store>): BackendHandle {
  t.teardown(() => proxy.close())
  let down = false
  return {
    connect,
    outage: async () => { down = true; await proxy.stop() },
    slow: async (ms) => { proxy.delay(ms) },
    heal: async () => {
      proxy.delay(0)
      if (down) await proxy.start()
      down = false
    }
  }
}

/** A redis-server of the test's own, every instance on one key prefix. */
const redis: SharedBackend = {
  name: 'redis',
  skip: REDIS_MISSING,
  async open (t) {
    const server = await startRedis(t)
    const proxy = await startProxy({ port: server.port })
    const env = { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: uniquePrefix() }
    return throughProxy(t, proxy, async () => await redisStoreFrom(t, env))
  }
}

const postgresServer = await postgresForTests()
/** A fresh database on the test PostgreSQL server; the instances close their stores (a pool ends once). */
const postgres: SharedBackend = {
  name: 'postgres',
  skip: postgresServer.skip === false ? undefined : postgresServer.skip,
  async open (t) {
    const url = new URL(await postgresServer.database())
    const proxy = await startProxy({ host: url.hostname, port: Number(url.port === '' ? 5432 : url.port) })
    url.hostname = '127.0.0.1'
    url.port = String(proxy.port)
    // Imported here, so a run without PostgreSQL does not count the driver against coverage.
    const { createPostgresStore } = await import('../../src/stores/postgres.js')
    return throughProxy(t, proxy, async () => await createPostgresStore({ url: url.toString() }))
  }
}

/**
 * The backends the multi-instance suites (test/routes/ws-races.test.ts,
 * ws-outage.test.ts) run against.
 */
export const backends: SharedBackend[] = [memory, redis, postgres]
