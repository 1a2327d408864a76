import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { RedisConfig } from '../config.js'
import { reconnectDelay, reconnectOnReadonly, sentinelOptions } from './redis-sentinel.js'
import { StoreUnavailableError, type StoreLogger } from './types.js'

export type { StoreLogger }

export type RedisClient = Redis | Cluster

/**
 * Per-connection bounds: one resend of a command caught by a dropped
 * connection, and a reply deadline for a server that hangs without closing.
 */
function connectionOptions (config: RedisConfig) {
  return {
    maxRetriesPerRequest: 1,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: Math.max(config.commandTimeoutMs, 1000),
    password: config.password,
    connectionName: 'ws-ticket-auth',
    reconnectOnError: reconnectOnReadonly,
    // Commands issued in the same event-loop turn (concurrent requests' rate-limit checks,
    // ticket writes, session records) leave in one write and come back in one read.
    enableAutoPipelining: true
  }
}

const SLOTS_REFRESH_MS = 2000

/**
 * A dead master answers nothing, so no MOVED ever points at the replica that
 * took over its slots: re-read the slot map every 2 s. Not ioredis'
 * `slotsRefreshInterval`: a refresh still running when the cluster is closed
 * re-arms it, and the closed cluster refreshes forever (seen as a test process
 * that never exited). This timer is unref'd and ends with the cluster.
 */
function keepSlotsFresh (cluster: Cluster): Cluster {
  const timer = setInterval(() => { if (cluster.status === 'ready') cluster.refreshSlotsCache() }, SLOTS_REFRESH_MS).unref()
  cluster.once('end', () => { clearInterval(timer) })
  return cluster
}

/**
 * An ioredis client (single node, Sentinel with REDIS_SENTINELS, or Cluster with REDIS_CLUSTER_NODES) that
 * never queues while disconnected: a command fails at once, so a route
 * answers 503 instead of waiting, and the client reconnects forever.
 */
export function createRedisClient (config: RedisConfig): RedisClient {
  if (config.clusterNodes !== undefined) {
    return keepSlotsFresh(new Cluster(config.clusterNodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      // A restarted node is reconnected instead of waiting for a MOVED that never comes.
      clusterNodeRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: config.commandTimeoutMs,
      enableAutoPipelining: true,
      redisOptions: connectionOptions(config)
    }))
  }
  const options: RedisOptions = {
    ...connectionOptions(config),
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
    // The store renews its subscription on every `ready` itself, with the error handled (see redis.ts).
    autoResubscribe: false
  }
  if (config.sentinels !== undefined) return new Redis({ ...options, ...sentinelOptions(config) })
  return config.url !== undefined ? new Redis(config.url, options) : new Redis({ ...options, host: config.host, port: config.port })
}

/**
 * Log a connection loss once (not once per reconnect attempt) and its
 * recovery. Listening to `error` is also what keeps ioredis from printing
 * "Unhandled error event" for every failed attempt.
 */
export function watchConnection (client: RedisClient, log: StoreLogger, name: string): void {
  let up = true
  client.on('error', (err: Error) => {
    if (!up) return
    up = false
    log.warn({ err: err.message }, `redis ${name}: connection failed, reconnecting`)
  })
  client.on('ready', () => {
    if (up) return
    up = true
    log.info({}, `redis ${name}: connection ready`)
  })
}

/** Resolves when the client is ready; rejects after `timeoutMs` with the last connection error. */
export async function untilReady (client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return
  await new Promise<void>((resolve, reject) => {
    let reason = 'no answer'
    const onError = (err: Error): void => { reason = err.message }
    const done = (err?: Error): void => {
      clearTimeout(timer)
      client.off('ready', done)
      client.off('error', onError)
      if (err === undefined) resolve()
      else reject(err)
    }
    const timer = setTimeout(() => { done(new Error(`Redis not reachable within ${timeoutMs} ms (${reason})`)) }, timeoutMs)
    client.on('ready', done)
    client.on('error', onError)
  })
}

/** A second connection with the same settings (pub/sub needs its own), RESP `protocol` aside. */
export function duplicate (client: RedisClient, protocol?: 2): RedisClient {
  const override = protocol === undefined ? {} : { protocol }
  return client instanceof Cluster ? keepSlotsFresh(client.duplicate([], { redisOptions: override })) : client.duplicate(override)
}

/** Every client failure (closed, refused, timed out, a Redis error reply) is the store being unavailable. */
export async function guard<T> (operation: string, pending: Promise<T>): Promise<T> {
  try {
    return await pending
  } catch (err) {
    // Already classified (an unconfirmed consume): keep its type, callers tell it apart.
    if (err instanceof StoreUnavailableError) throw err
    throw new StoreUnavailableError(`Redis ${operation} failed: ${(err as Error).message}`, { cause: err })
  }
}

/**
 * QUIT lets in-flight commands finish, but on a Cluster with a node down it
 * never answers (the node's QUIT waits for a reconnect that does not come):
 * wait `graceMs` at most, then drop (seen as a test process that never exited).
 */
export async function closeConnection (connection: RedisClient, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise(resolve => { timer = setTimeout(resolve, graceMs) })
  await Promise.race([connection.quit().catch(() => undefined), grace])
  clearTimeout(timer)
  connection.disconnect()
}
