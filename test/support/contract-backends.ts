import type { Test } from 'tap'
import { createMemoryStore } from '../../src/stores/memory.js'
import type { Store } from '../../src/stores/types.js'
import { postgresForTests } from './postgres.js'
import { REDIS_MISSING, redisCluster, redisStoreFrom, redisUrl } from './redis.js'

/**
 * The store contract suites' backends: each entry makes a fresh store on a real
 * server (or in process). Backends that need a server add themselves here.
 */
export interface ContractBackend { name: string, make: (t: Test) => Promise<Store>, skip?: string }

const postgres = await postgresForTests()
export const contractBackends: ContractBackend[] = [
  { name: 'memory', make: async () => createMemoryStore() },
  { name: 'redis', skip: REDIS_MISSING, make: async t => await redisStoreFrom(t, { REDIS_URL: await redisUrl(t) }) },
  { name: 'redis cluster', skip: REDIS_MISSING, make: async t => await redisStoreFrom(t, { REDIS_CLUSTER_NODES: await redisCluster(t) }) },
  // Imported only when PostgreSQL is here, so a skipped run does not count the driver against coverage.
  ...postgres.skip === false
    ? [{ name: 'postgres', make: async () => (await import('../../src/stores/postgres.js')).createPostgresStore({ url: await postgres.database() }) }]
    : []
]
