import { Cluster } from 'ioredis'
import { pino } from 'pino'
import type { RedisConfig } from '../config.js'
import { closeConnection, guard, untilReady, watchConnection, type RedisClient, type StoreLogger } from './redis-client.js'
import { warnAboutReplication } from './redis-checks.js'
import { STORE_DEFAULTS } from './defaults.js'
import { createEventChannel } from './redis-events.js'
import { redisKeys } from './redis-keys.js'
import { defineScripts } from './redis-scripts.js'
import { createRedisSessions } from './redis-sessions.js'
import { createConsume, type WaitOptions } from './redis-wait.js'
import type { OpenSessionArgs } from './redis-scripts.js'
import {
  EXPIRED_TICKET_MEMORY_MS, StoreUnavailableError,
  type ConsumeOptions, type ConsumeResult, type SessionDraft, type Store, type StoreEvent, type TicketRecord
} from './types.js'

export { redisKeys }

export interface RedisStoreOptions {
  /** Prefix of every key and of the event channel (REDIS_KEY_PREFIX). */
  keyPrefix?: string
  log?: StoreLogger
  /** How long creation waits for the server before failing (keep it under Fastify's plugin timeout). */
  readyTimeoutMs?: number
  /** Acknowledged consumes (§8); default none. */
  wait?: WaitOptions
  /** Longest wait for in-flight commands at close (QUIT), before the connections are dropped. */
  closeGraceMs?: number
}

/** The store options a configuration asks for. */
export const redisStoreOptions = (config: RedisConfig, log?: StoreLogger): RedisStoreOptions => ({
  keyPrefix: config.keyPrefix, log, wait: { replicas: config.waitReplicas, timeoutMs: config.waitTimeoutMs }, closeGraceMs: config.commandTimeoutMs
})

export interface RedisStore extends Store {
  backend: 'redis'
  /** The command connection, shared with @fastify/redis and the rate limiter. */
  client: RedisClient
  keyPrefix: string
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
  const wait = opts.wait ?? { replicas: STORE_DEFAULTS.redisWaitReplicas, timeoutMs: STORE_DEFAULTS.redisWaitTimeoutMs }
  const consumes = createConsume(client, wait, log)
  const connections = [client, events.subscriber, ...consumes.connections]
  try {
    await Promise.all(connections.map(async c => { await untilReady(c, opts.readyTimeoutMs ?? STORE_DEFAULTS.redisReadyTimeoutMs) }))
    await events.subscribed()
  } catch (err) {
    for (const c of connections) c.disconnect()
    throw new StoreUnavailableError((err as Error).message, { cause: err })
  }
  await warnAboutReplication(client, wait.replicas, log)
  const { openedByConsume, ...sessions } = createRedisSessions(client, keys, log)
  // On a Cluster the user's keys are in another slot than the ticket: the session is opened by createSession.
  const opensSessions = !(client instanceof Cluster)
  const openWith = (draft: SessionDraft | undefined): OpenSessionArgs | [] => draft === undefined || !opensSessions
    ? []
    : [draft.sessionId, keys.session(draft.sessionId), keys.userPrefix, draft.authenticatedAt, draft.expiresAtByTtl,
        new Date(draft.expiresAtByTtl).toISOString(), draft.followsTokenExpiry ? '1' : '', draft.leaseMs, draft.maxPerUser]

  return {
    ...sessions,
    backend: 'redis',
    opensSessions,
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

    async consumeTicket (digest: string, opts: ConsumeOptions = {}): Promise<ConsumeResult> {
      const consumed = consumes.consume(keys.ticket(digest), EXPIRED_TICKET_MEMORY_MS, opts.clientIp ?? '', opts.consumeId ?? '', ...openWith(opts.session))
      const [status, record, session] = await guard('consumeTicket', consumed)
      if (status !== 'ok') return { status } as ConsumeResult
      const ticket = JSON.parse(record as string) as TicketRecord
      // 'failed' (a session write refused): left to createSession, which reports it the usual way.
      if (session !== undefined && session !== 'failed') openedByConsume((opts.session as SessionDraft).sessionId, ticket.userId, session !== 'limit')
      return { status, ticket }
    },

    async releaseTicket (digest: string, consumeId: string): Promise<boolean> {
      return await guard('releaseTicket', consumes.release(keys.ticket(digest), consumeId)) === 1
    },

    async publish (event: StoreEvent): Promise<void> {
      await guard('publish', events.publish(event))
    },

    subscribe (listener: (event: StoreEvent) => void): void {
      events.listen(listener)
    },

    async checkEvents (): Promise<void> {
      await guard('checkEvents', events.roundTrip())
    },

    async ping (): Promise<void> {
      // On a Cluster every master must answer: one lost master already fails a share of the keys.
      // The consume connection too: with it down every authentication fails while the rest works.
      const targets = [client, ...client instanceof Cluster ? client.nodes('master') : [], ...consumes.connections]
      await guard('ping', Promise.all(targets.map(async c => await c.ping())))
    },

    async close (): Promise<void> {
      events.clear()
      await Promise.all(connections.map(async c => { await closeConnection(c, opts.closeGraceMs ?? STORE_DEFAULTS.redisCommandTimeoutMs) }))
    }
  }
}
