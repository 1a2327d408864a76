import type { AppConfig } from '../config.js'
import { createMemoryStore } from './memory.js'
import type { Store } from './types.js'

export * from './types.js'
export { createMemoryStore } from './memory.js'

/** The store the configuration asks for: memory unless a shared backend is configured. */
export async function createStore (config: AppConfig): Promise<Store> {
  if (config.redis !== undefined) {
    throw new Error('REDIS_URL is set, but the Redis store is not available in this build')
  }
  return createMemoryStore()
}
