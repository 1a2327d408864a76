import { Cluster } from 'ioredis'
import { pino } from 'pino'
import { untilReady, watchConnection, type RedisClient, type StoreLogger } from './redis-client.js'
import { STORE_DEFAULTS } from './defaults.js'
import { createEventChannel } from './redis-events.js'
import { defineScripts, type UserKeys } from './redis-scripts.js'
import { createRedisSessions, guard } from './redis-sessions.js'
import {
  EXPIRED_TICKET_MEMORY_MS, StoreUnavailableError,
  type ConsumeResult, type Store, type StoreEvent, type TicketRecord
} from './types.js'

export interface RedisStoreOptions {
  /** Prefix of every key and of the event channel (REDIS_KEY_PREFIX). */
  keyPrefix?: string
  log?: StoreLogger
  /** How long creation waits for the server before failing (keep it under Fastify's plugin timeout). */
  readyTimeoutMs?: number
}

export interface RedisStore extends Store {
  backend: 'redis'
  /** The command connection, shared with @fastify/redis and the rate limiter. */
  client: RedisClient
  keyPrefix: string
}

/**
 * The key layout. A user's index, records and bounds share the hash tag `{u:…}`,
 * so the session scripts touch one slot; tickets and session lookups are single
 * keys. The user id is URI-encoded so its own braces cannot move the tag.
 */
export function redisKeys (prefix: string) {
  const tag = (userId: string): string => `${prefix}{u:${encodeURIComponent(userId)}}`
  return {
    ticket: (digest: string) => `${prefix}t:${digest}`,
    session: (sessionId: string) => `${prefix}s:${sessionId}`,
    user: (userId: string): UserKeys => ['sessions', 'records', 'bounds'].map(name => `${tag(userId)}:${name}`) as UserKeys,
    channel: `${prefix}events`
  }
}

/**
 * The Redis store (single node or Cluster); it owns `client` and closes it.
 * Tickets: one key each, consumed by one script. Sessions: a lookup key per
 * session plus the user's index and records, kept together by scripts.
 * Resolves once the command and event connections are ready.
 */
export async function createRedisStore (client: RedisClient, opts: RedisStoreOptions = {}): Promise<RedisStore> {
  const keyPrefix = opts.keyPrefix ?? STORE_DEFAULTS.redisKeyPrefix
  const log = opts.log ?? pino({ enabled: false })
  const keys = redisKeys(keyPrefix)
  defineScripts(client)

  watchConnection(client, log, 'commands')
  const events = createEventChannel(client, keys.channel, log)
  const connections = [client, events.subscriber]
  try {
    await Promise.all(connections.map(async c => { await untilReady(c, opts.readyTimeoutMs ?? STORE_DEFAULTS.redisReadyTimeoutMs) }))
    await events.subscribed()
  } catch (err) {
    for (const c of connections) c.disconnect()
    throw new StoreUnavailableError((err as Error).message, { cause: err })
  }

  return {
    ...createRedisSessions(client, keys, log),
    backend: 'redis',
    client,
    keyPrefix,
    shared: { redis: client },
    // One single-key script per check (Cluster-safe), in the store's own key space.
    rateLimit: () => ({ redis: client, nameSpace: `${keyPrefix}rl:` }),

    async issueTicket (digest: string, record: TicketRecord): Promise<void> {
      // Kept past expiry for the memory window, so a late attempt is told TICKET_EXPIRED.
      const ttl = Math.max(1, record.expiresAt - Date.now() + EXPIRED_TICKET_MEMORY_MS)
      await guard('issueTicket', client.set(keys.ticket(digest), JSON.stringify(record), 'PX', ttl))
    },

    async consumeTicket (digest: string): Promise<ConsumeResult> {
      const [status, record] = await guard('consumeTicket', client.wsauthConsume(keys.ticket(digest), EXPIRED_TICKET_MEMORY_MS))
      return status === 'ok' ? { status, ticket: JSON.parse(record as string) } : { status } as ConsumeResult
    },

    async publish (event: StoreEvent): Promise<void> {
      await guard('publish', events.publish(event))
    },

    subscribe (listener: (event: StoreEvent) => void): void {
      events.listen(listener)
    },

    async ping (): Promise<void> {
      // On a Cluster every master must answer: one lost master already fails a share of the keys.
      const targets = client instanceof Cluster ? [client, ...client.nodes('master')] : [client]
      await guard('ping', Promise.all(targets.map(async c => await c.ping())))
    },

    async close (): Promise<void> {
      events.clear()
      // QUIT lets in-flight commands finish; a connection that is down is just dropped.
      await Promise.all(connections.map(async c => { await c.quit().catch(() => { c.disconnect() }) }))
    }
  }
}
