import type { AppConfig } from '../config.js'
import { createMemoryStore } from './memory.js'
import type { Store, StoreLogger } from './types.js'

export * from './types.js'
export { createMemoryStore } from './memory.js'

/** The store the configuration asks for: memory unless a shared backend is configured. */
export async function createStore (config: AppConfig, log?: StoreLogger): Promise<Store> {
  if (config.postgres !== undefined) {
    // Loaded on demand: a deployment without PostgreSQL never loads the driver.
    const { createPostgresStore } = await import('./postgres.js')
    return await createPostgresStore({ ...config.postgres, log })
  }
  if (config.store === 'redis') {
    throw new Error('REDIS_URL is set, but the Redis store is not available in this build')
  }
  return createMemoryStore()
}
