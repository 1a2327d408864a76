import type { Cluster } from 'ioredis'
import { loadConfig, type RedisConfig } from '../../src/config.js'
import { createRedisClient } from '../../src/stores/redis-client.js'
import { createRedisStore, redisKeys } from '../../src/stores/redis.js'
import { pool } from '../load/flow.js'

/**
 * What the store holds about sessions, read the way the service reads it:
 * the users' session indexes (`listSessions`, the product's own store code)
 * and, independently, every session lookup key on every master.
 */
export async function storeSessions (clusterNodes: string, keyPrefix: string, userIds: string[]): Promise<{ indexed: string[], sessionKeys: number }> {
  const config = loadConfig({ REDIS_CLUSTER_NODES: clusterNodes, REDIS_KEY_PREFIX: keyPrefix }).redis as RedisConfig
  const store = await createRedisStore(createRedisClient(config), { keyPrefix })
  try {
    const indexed: string[] = []
    await pool(userIds.length, 32, async (i) => {
      for (const session of await store.listSessions(userIds[i])) indexed.push(session.sessionId)
    })
    let sessionKeys = 0
    for (const master of (store.client as Cluster).nodes('master')) {
      let cursor = '0'
      do {
        const [next, keys] = await master.scan(cursor, 'MATCH', redisKeys(keyPrefix).session('*'), 'COUNT', 1000)
        cursor = next
        sessionKeys += keys.length
      } while (cursor !== '0')
    }
    return { indexed, sessionKeys }
  } finally {
    await store.close()
  }
}
