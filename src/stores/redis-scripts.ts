import type { Result } from 'ioredis'
import type { RedisClient } from './redis-client.js'
import { CREATE_WITHOUT_KEYS, SESSION_SCRIPTS } from './redis-session-scripts.js'

/** A user's index, records and bounds keys (redisKeys().user). */
export type UserKeys = [index: string, records: string, bounds: string]

/** ARGV[4…] of the consume script: the session it opens with the ticket (OPEN_SESSION). */
export type OpenSessionArgs = [
  sessionId: string, lookupKey: string, userKeysPrefix: string, authenticatedAt: string,
  expiresAtByTtl: number, expiresAtByTtlIso: string, followsToken: '1' | '', leaseMs: number, maxPerUser: number
]
/** The ticket's key, the expired-ticket memory (ms), the bound address ('' unbound), the consume id, the session to open, if any. */
export type ConsumeArgs = [ticketKey: string, memoryMs: number, clientIp: string, consumeId: string, ...session: OpenSessionArgs | []]

/**
 * The Lua scripts of the Redis store. Each runs atomically in one round trip
 * (EVALSHA; ioredis falls back to EVAL once after a server restart flushed
 * the script cache). Every key a script touches is passed in KEYS and shares
 * one hash tag, so the scripts run unchanged on Redis Cluster; the one
 * exception (OPEN_SESSION) is never sent to a Cluster. Time comes from
 * the server (TIME), so instances with skewed clocks agree on expiry.
 */

/**
 * The session half of the consume. The user's keys are not in KEYS (the user is known only from the
 * ticket), which a single server allows and a Cluster does not: never sent to a Cluster.
 * ARGV[4] session id, [5] its lookup key, [6] the user keys' prefix up to `{u:`, [7] authenticatedAt,
 * [8] expiresAt by SESSION_TTL_SECONDS (ms), [9] the same as ISO text, [10] '1' when the session
 * follows the token's expiry, [11] lease ms, [12] MAX_SESSIONS_PER_USER.
 */
const OPEN_SESSION = `
-- Date.toISOString of epoch ms (days to civil date: H. Hinnant's algorithm).
local function iso (ms)
  local s = math.floor(ms / 1000)
  local z = math.floor(s / 86400) + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  local sod = s % 86400
  return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', yoe + era * 400 + (m <= 2 and 1 or 0), m,
    doy - math.floor((153 * mp + 2) / 5) + 1, math.floor(sod / 3600), math.floor(sod % 3600 / 60), sod % 60, ms % 1000)
end
local opened, created, session = pcall(function ()
  local ticket = cjson.decode(record)
  -- encodeURIComponent, as redis-keys.ts tags the user. A lone surrogate, which it throws on, fails the decode above: 'failed'.
  local tag = ARGV[6] .. (string.gsub(ticket.userId, "[^%w%-_%.!~%*'%(%)]", function (c) return string.format('%%%02X', string.byte(c)) end)) .. '}:'
  local K = {tag .. 'sessions', tag .. 'records', tag .. 'bounds'}
  local expires, expiresIso = tonumber(ARGV[8]), ARGV[9]
  if ARGV[10] == '1' and ticket.tokenExpiresAt and ticket.tokenExpiresAt < expires then
    expires, expiresIso = ticket.tokenExpiresAt, iso(ticket.tokenExpiresAt)
  end
  local json = cjson.encode({ sessionId = ARGV[4], userId = ticket.userId, entityId = ticket.entityId, entityType = ticket.entityType,
    chatServerKey = ticket.chatServerKey, authenticatedAt = ARGV[7], expiresAt = expiresIso })
` + CREATE_WITHOUT_KEYS + `
  if create(ARGV[4], expires, tonumber(ARGV[11]), tonumber(ARGV[12]), json) == 0 then return 0 end
  redis.call('SET', ARGV[5], json, 'PX', ARGV[11])
  return 1, json
end)
if not opened then return {'ok', record, 'failed'} end
return {'ok', record, created == 1 and session or 'limit'}
`

/**
 * A ticket's value: its record (JSON) while unspent, `used:<ids>:<record>` once spent,
 * `gave:<ids>:<record>` once given back, `free:<ids>:<record>` when a consume was given up before
 * it landed. `<ids>` are comma-separated consume ids: the first is the one that spent (used) or gave
 * back (gave) the ticket; every id in it is barred, so such a consume, should it still arrive, spends nothing.
 * KEYS[1] ticket. ARGV[1] how long (ms) an expired ticket is remembered, ARGV[2] the address the
 * ticket must have been issued to ('' when unbound), ARGV[3] this consume's id.
 * → {'ok', record} | {'used'|'expired'|'unknown'|'ip_mismatch'}
 *
 * With ARGV[4…] (OPEN_SESSION, above) the same step opens the session: → {'ok', record, session record
 * | 'limit' | 'failed'}, 'failed' when a session write was refused (the ticket is spent all the same).
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
if not ARGV[4] then return {'ok', record} end
` + OPEN_SESSION

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
    wsauthConsume: (...args: ConsumeArgs) => Result<[string, string?, string?], Context>
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
