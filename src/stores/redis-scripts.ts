import type { Result } from 'ioredis'
import type { RedisClient } from './redis-client.js'

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

/** Drops index entries (and their records) whose expiry score has passed; defines `now` in ms. */
const PRUNE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('HDEL', KEYS[2], id)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
`

/** KEYS[1] user index, KEYS[2] user records. ARGV sessionId, ttl ms, max per user, record. → 1 created | 0 refused */
const CREATE_SESSION = PRUNE + `
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
local expires = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
-- The index lives as long as its longest-lived session, so an idle user leaves nothing behind.
local last = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])
redis.call('PEXPIREAT', KEYS[1], last)
redis.call('PEXPIREAT', KEYS[2], last)
return 1
`

/** KEYS[1] user index, KEYS[2] user records. → the user's live session records */
const LIST_SESSIONS = PRUNE + `
return redis.call('HVALS', KEYS[2])
`

/** KEYS[1] user index, KEYS[2] user records. ARGV[1] sessionId. */
const REMOVE_SESSION = `
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])
`

export const SCRIPTS = {
  wsauthConsume: { numberOfKeys: 1, lua: CONSUME },
  wsauthCreateSession: { numberOfKeys: 2, lua: CREATE_SESSION },
  wsauthListSessions: { numberOfKeys: 2, lua: LIST_SESSIONS },
  wsauthRemoveSession: { numberOfKeys: 2, lua: REMOVE_SESSION }
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    wsauthConsume: (ticketKey: string, memoryMs: number) => Result<[string, string?], Context>
    wsauthCreateSession: (indexKey: string, recordsKey: string, sessionId: string, ttlMs: number, max: number, record: string) => Result<number, Context>
    wsauthListSessions: (indexKey: string, recordsKey: string) => Result<string[], Context>
    wsauthRemoveSession: (indexKey: string, recordsKey: string, sessionId: string) => Result<number, Context>
  }
}

/** Register the scripts as client commands (idempotent: a client shared by several stores keeps one definition). */
export function defineScripts (client: RedisClient): void {
  for (const [name, definition] of Object.entries(SCRIPTS)) client.defineCommand(name, definition)
}
