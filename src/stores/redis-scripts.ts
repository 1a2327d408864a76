import type { Result } from 'ioredis'
import type { RedisClient } from './redis-client.js'
import { SESSION_SCRIPTS } from './redis-session-scripts.js'

/** A user's index, records and bounds keys (redisKeys().user). */
export type UserKeys = [index: string, records: string, bounds: string]

/**
 * The Lua scripts of the Redis store. Each runs atomically in one round trip
 * (EVALSHA; ioredis falls back to EVAL once after a server restart flushed
 * the script cache). Every key a script touches is passed in KEYS and shares
 * one hash tag, so the scripts run unchanged on Redis Cluster. Time comes from
 * the server (TIME), so instances with skewed clocks agree on expiry.
 */

/** KEYS[1] ticket. ARGV[1] how long (ms) an expired ticket is remembered. → {'ok', record} | {'used'|'expired'|'unknown'} */
const CONSUME = `
local record = redis.call('GET', KEYS[1])
if not record then return {'unknown'} end
-- The key lives until expiry + the memory window: less than the window left means expired.
if redis.call('PTTL', KEYS[1]) <= tonumber(ARGV[1]) then return {'expired'} end
if record == 'used' then return {'used'} end
redis.call('SET', KEYS[1], 'used', 'KEEPTTL')
return {'ok', record}
`

export const SCRIPTS = {
  wsauthConsume: { numberOfKeys: 1, lua: CONSUME },
  ...SESSION_SCRIPTS
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    wsauthConsume: (ticketKey: string, memoryMs: number) => Result<[string, string?], Context>
    wsauthCreateSession: (...keysThenArgs: [...UserKeys, sessionId: string, expiresAtMs: number, leaseMs: number, max: number, record: string]) => Result<number, Context>
    wsauthRenewLeases: (...keysThenArgs: [...UserKeys, leaseMs: number, ...sessionIds: string[]]) => Result<string[], Context>
    wsauthUpdateExpiry: (...keysThenArgs: [...UserKeys, sessionId: string, expiresAtMs: number, record: string]) => Result<number, Context>
    wsauthListSessions: (...keys: UserKeys) => Result<string[], Context>
    wsauthRemoveSession: (...keysThenArgs: [...UserKeys, sessionId: string]) => Result<number, Context>
  }
}

/** Register the scripts as client commands (idempotent: a client shared by several stores keeps one definition). */
export function defineScripts (client: RedisClient): void {
  for (const [name, definition] of Object.entries(SCRIPTS)) client.defineCommand(name, definition)
}
