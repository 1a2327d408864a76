import type { RedisOptions } from 'ioredis'
import type { RedisConfig } from '../config.js'

/** Reconnect forever: 100 ms, 200 ms, … capped at 2 s, so a returning server is found within 2 s. */
export const reconnectDelay = (attempt: number): number => Math.min(100 * attempt, 2000)

/**
 * A connection that finds a failed-over master by itself. A write answered
 * READONLY reached a node that was demoted (a failover the connection did not
 * see drop): reconnect, which asks the sentinels (or DNS) for the master
 * again, and resend the command. Resending is safe: a replica runs no part of
 * a command it refuses with READONLY.
 */
export function reconnectOnReadonly (err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false
}

/**
 * ioredis' Sentinel mode: the master is asked of the sentinels at every
 * (re)connect, so a failed master's connections land on the promoted replica
 * within one reconnect delay of the promotion. Sentinels that cannot be
 * reached are retried on the same bounded delay. ioredis' `failoverDetector`
 * stays off: every sentinel announces a switch, and each announcement after
 * the first dropped the connection already on the new master again (seen
 * as repeated outages of ~100 ms after a failover).
 */
export function sentinelOptions (config: RedisConfig): RedisOptions {
  return {
    sentinels: config.sentinels,
    name: config.sentinelName,
    sentinelPassword: config.sentinelPassword,
    role: 'master',
    sentinelRetryStrategy: reconnectDelay,
    sentinelCommandTimeout: config.commandTimeoutMs
  }
}
