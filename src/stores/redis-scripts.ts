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

/**
 * A ticket's value: its record (JSON) while unspent, `used:<ids>:<record>` once spent,
 * `gave:<ids>:<record>` once given back, `free:<ids>:<record>` when a consume was given up before
 * it landed. `<ids>` are comma-separated consume ids: the first is the one that spent (used) or gave
 * back (gave) the ticket; every id in it is barred, so such a consume, should it still arrive, spends nothing.
 * KEYS[1] ticket. ARGV[1] how long (ms) an expired ticket is remembered, ARGV[2] the address the
 * ticket must have been issued to ('' when unbound), ARGV[3] this consume's id.
 * → {'ok', record} | {'used'|'expired'|'unknown'|'ip_mismatch'}
 */
const CONSUME = `
local value = redis.call('GET', KEYS[1])
if not value then return {'unknown'} end
-- The key lives until expiry + the memory window: less than the window left means expired.
if redis.call('PTTL', KEYS[1]) <= tonumber(ARGV[1]) then return {'expired'} end
local state, ids, rest = string.match(value, '^(%a%a%a%a):([%x,]*):(.*)$')
if state == 'used' or (state ~= nil and string.find(',' .. ids .. ',', ',' .. ARGV[3] .. ',', 1, true)) then return {'used'} end
local record = rest or value
-- Checked before the mark: a thief at the wrong address does not spend the owner's ticket.
if ARGV[2] ~= '' and cjson.decode(record).clientIp ~= ARGV[2] then return {'ip_mismatch'} end
redis.call('SET', KEYS[1], 'used:' .. ARGV[3] .. (ids and ',' .. ids or '') .. ':' .. record, 'KEEPTTL')
return {'ok', record}
`

/** KEYS[1] ticket. ARGV[1] consume id. → 1 given back by that consume (now or before) | 0 untouched (barred if unspent) */
const RELEASE = `
local value = redis.call('GET', KEYS[1])
if not value or ARGV[1] == '' then return 0 end
local state, ids, rest = string.match(value, '^(%a%a%a%a):([%x,]*):(.*)$')
local first = ids and string.match(ids, '^[^,]*')
if first == ARGV[1] and (state == 'used' or state == 'gave') then
  redis.call('SET', KEYS[1], 'gave:' .. ids .. ':' .. rest, 'KEEPTTL')
  return 1
end
if state == 'used' or (ids and string.find(',' .. ids .. ',', ',' .. ARGV[1] .. ',', 1, true)) then return 0 end
-- Barred beside those barred before: another consume given up on may still be on its way too.
redis.call('SET', KEYS[1], (state or 'free') .. ':' .. (ids and ids .. ',' or '') .. ARGV[1] .. ':' .. (rest or value), 'KEEPTTL')
return 0
`

export const SCRIPTS = {
  wsauthConsume: { numberOfKeys: 1, lua: CONSUME },
  wsauthRelease: { numberOfKeys: 1, lua: RELEASE },
  ...SESSION_SCRIPTS
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    wsauthConsume: (ticketKey: string, memoryMs: number, clientIp: string, consumeId: string) => Result<[string, string?], Context>
    wsauthRelease: (ticketKey: string, consumeId: string) => Result<number, Context>
    wsauthCreateSession: (...keysThenArgs: [...UserKeys, sessionId: string, expiresAtMs: number, leaseMs: number, max: number, record: string]) => Result<number, Context>
    wsauthRenewLeases: (...keysThenArgs: [...UserKeys, leaseMs: number, ...sessionIds: string[]]) => Result<string[], Context>
    wsauthUpdateExpiry: (...keysThenArgs: [...UserKeys, sessionId: string, expiresAtMs: number, record: string]) => Result<number, Context>
    wsauthListSessions: (...keys: UserKeys) => Result<string[], Context>
    wsauthRemoveSession: (...keysThenArgs: [...UserKeys, sessionId: string]) => Result<number, Context>
    wsauthCountSessions: (index: string) => Result<number, Context>
  }
}

/** Register the scripts as client commands (idempotent: a client shared by several stores keeps one definition). */
export function defineScripts (client: RedisClient): void {
  for (const [name, definition] of Object.entries(SCRIPTS)) client.defineCommand(name, definition)
}
