/**
 * The session scripts of the Redis store. A user's sessions live in three keys of one
 * hash slot (`{u:…}`): the index (sorted set, score = the end of the session's life,
 * min(expiresAt, lease end), in ms), the records (hash: id → JSON) and the bounds
 * (hash: `e:<id>` → expiresAt ms, `l:<id>` → lease end ms), from which a renewal or
 * a refresh recomputes the score. Time is the server's (TIME).
 */

/** The user's keys: the script's own (KEYS), or the ones the consume script names (see redis-scripts.ts). */
const OWN_KEYS = `
local K = KEYS
`

/** Drops index entries (with their record and bounds) whose score has passed; defines `now` in ms. */
const PRUNE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K[1], '-inf', now)) do
  redis.call('HDEL', K[2], id)
  redis.call('HDEL', K[3], 'e:' .. id, 'l:' .. id)
end
redis.call('ZREMRANGEBYSCORE', K[1], '-inf', now)
`

/** The user's keys live as long as the longest-lived session, so an idle user leaves nothing behind. */
const EXPIRE_WITH_LAST = `
local last = redis.call('ZRANGE', K[1], -1, -1, 'WITHSCORES')[2]
if last then
  for i = 1, 3 do redis.call('PEXPIREAT', K[i], last) end
end
`

/** Sets the bounds of ARGV id `id` and its score, the earlier of the two. */
const PLACE = `
local function place (id, expires, lease)
  redis.call('HSET', K[3], 'e:' .. id, expires, 'l:' .. id, lease)
  redis.call('ZADD', K[1], math.min(expires, lease), id)
end
`

/** create(sessionId, expiresAt ms, lease ms, max per user, record) → 1 created | 0 refused */
const CREATE_FUNCTION = `
local function create (id, expires, leaseMs, max, record)
  if redis.call('ZCARD', K[1]) >= max then return 0 end
  place(id, expires, now + leaseMs)
  redis.call('HSET', K[2], id, record)
` + EXPIRE_WITH_LAST + `
  return 1
end
`

/** `create` (above) and what it needs but K: for the consume script, which opens a session with the ticket (redis-scripts.ts). */
export const CREATE_WITHOUT_KEYS = PRUNE + PLACE + CREATE_FUNCTION

/** ARGV sessionId, expiresAt ms, lease ms, max per user, record. → 1 created | 0 refused */
const CREATE = OWN_KEYS + CREATE_WITHOUT_KEYS + `
return create(ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5])
`

/** ARGV lease ms, sessionId… → the ids that are gone (never revived). */
const RENEW = OWN_KEYS + PRUNE + PLACE + `
local lease = now + tonumber(ARGV[1])
local gone = {}
for i = 2, #ARGV do
  local expires = redis.call('HGET', K[3], 'e:' .. ARGV[i])
  if expires then place(ARGV[i], tonumber(expires), lease) else table.insert(gone, ARGV[i]) end
end
` + EXPIRE_WITH_LAST + `
return gone
`

/** ARGV sessionId, expiresAt ms, record. → 1 updated | 0 gone */
const UPDATE_EXPIRY = OWN_KEYS + PRUNE + PLACE + `
local lease = redis.call('HGET', K[3], 'l:' .. ARGV[1])
if not lease then return 0 end
place(ARGV[1], tonumber(ARGV[2]), tonumber(lease))
redis.call('HSET', K[2], ARGV[1], ARGV[3])
` + EXPIRE_WITH_LAST + `
return 1
`

/** → the user's live session records */
const LIST = OWN_KEYS + PRUNE + `
return redis.call('HVALS', K[2])
`

/** KEYS[1] a user's index. → how many of its sessions are live: what LIST would return, read-only (nothing pruned). */
const COUNT = `
local t = redis.call('TIME')
return redis.call('ZCOUNT', KEYS[1], '(' .. (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)), '+inf')
`

/** ARGV sessionId. */
const REMOVE = OWN_KEYS + `
redis.call('ZREM', K[1], ARGV[1])
redis.call('HDEL', K[3], 'e:' .. ARGV[1], 'l:' .. ARGV[1])
return redis.call('HDEL', K[2], ARGV[1])
`

/** Every script takes KEYS index, records, bounds of one user. */
export const SESSION_SCRIPTS = {
  wsauthCreateSession: { numberOfKeys: 3, lua: CREATE },
  wsauthRenewLeases: { numberOfKeys: 3, lua: RENEW },
  wsauthUpdateExpiry: { numberOfKeys: 3, lua: UPDATE_EXPIRY },
  wsauthListSessions: { numberOfKeys: 3, lua: LIST },
  wsauthRemoveSession: { numberOfKeys: 3, lua: REMOVE },
  wsauthCountSessions: { numberOfKeys: 1, lua: COUNT }
}
