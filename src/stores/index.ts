import type { AppConfig } from '../config.js'
import { createMemoryStore } from './memory.js'
import { createRedisClient } from './redis-client.js'
import { createRedisStore, redisStoreOptions } from './redis.js'
import type { Store, StoreLogger } from './types.js'

export * from './types.js'
export { createMemoryStore } from './memory.js'
export { createRedisStore, type RedisStore } from './redis.js'
export { STORE_DEFAULTS } from './defaults.js'
export { cachedCheck } from './event-health.js'

/** The store the configuration asks for: memory unless a shared backend is configured. */
export async function createStore (config: AppConfig, log?: StoreLogger): Promise<Store> {
  if (config.postgres !== undefined) {
    // Loaded on demand: a deployment without PostgreSQL never loads the driver.
    const { createPostgresStore } = await import('./postgres.js')
    return await createPostgresStore({ ...config.postgres, log })
  }
  if (config.redis !== undefined) {
    return await createRedisStore(createRedisClient(config.redis), redisStoreOptions(config.redis, log))
  }
  return createMemoryStore()
}
