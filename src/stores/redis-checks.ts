import { Cluster } from 'ioredis'
import type { RedisClient } from './redis-client.js'
import type { StoreLogger } from './types.js'

/** Every key the store writes expires, so `volatile-*` policies may evict them as readily as `allkeys-*`. */
const SAFE_POLICY = 'noeviction'

/** A server whose INFO lacks the field throws here, and counts as not checked. */
const connectedReplicas = (info: string): number => Number((/^connected_slaves:(\d+)/m.exec(info) as RegExpExecArray)[1])

/**
 * Startup warnings, logged once, about a Redis that keeps fewer promises than
 * the configuration assumes: replicas whose lag can undo a consume (no WAIT),
 * too few replicas for WAIT to succeed, and an eviction policy that can drop
 * a ticket or a session under memory pressure. Read from every master; a
 * server that refuses INFO or CONFIG (some managed services) is only noted.
 */
export async function warnAboutReplication (client: RedisClient, waitReplicas: number, log: StoreLogger): Promise<void> {
  const masters = client instanceof Cluster ? client.nodes('master') : [client]
  let replicas: number[]
  let policies: string[]
  try {
    replicas = await Promise.all(masters.map(async m => connectedReplicas(await m.info('replication'))))
    policies = await Promise.all(masters.map(async m => String((await m.config('GET', 'maxmemory-policy') as string[])[1])))
  } catch (err) {
    return log.info({ err: (err as Error).message }, 'redis: could not read the replication and eviction settings; not checked')
  }
  const fewest = Math.min(...replicas)
  if (waitReplicas === 0 && Math.max(...replicas) > 0) {
    log.warn({ replicas: fewest }, 'redis: replicas are attached but REDIS_WAIT_REPLICAS=0: a ticket consumed just before a failover can be redeemed again (see docs/redis.md)')
  }
  if (waitReplicas > fewest) {
    log.warn({ replicas: fewest, waitReplicas }, 'redis: fewer replicas attached than REDIS_WAIT_REPLICAS: authentications fail AUTH_ERROR until enough attach')
  }
  const unsafe = policies.find(policy => policy !== SAFE_POLICY)
  if (unsafe !== undefined) {
    log.warn({ maxmemoryPolicy: unsafe }, `redis: maxmemory-policy ${unsafe} can evict tickets and sessions (they all expire, so volatile-* policies too): use noeviction`)
  }
}
