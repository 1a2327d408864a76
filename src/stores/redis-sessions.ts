import { guard, type RedisClient } from './redis-client.js'
import type { UserKeys } from './redis-scripts.js'
import { type SessionOptions, type SessionRecord, type StoreLogger } from './types.js'

export interface SessionKeys {
  session: (sessionId: string) => string
  user: (userId: string) => UserKeys
}

const parse = (json: string | null): SessionRecord | undefined => json === null ? undefined : JSON.parse(json)
/** The lookup key lives with the lease (expiresAt can move both ways under it): expiry is judged on read. */
const live = (record: SessionRecord | undefined): SessionRecord | undefined =>
  record !== undefined && Date.parse(record.expiresAt) > Date.now() ? record : undefined

/**
 * The session half of the Redis store. A record is kept twice: in its user's keys (one
 * slot, scripts of redis-session-scripts.ts) and under a lookup key by session id
 * (another slot on a Cluster); both expire with the lease unless renewed.
 */
export function createRedisSessions (client: RedisClient, keys: SessionKeys, log: StoreLogger) {
  // The user of each session this store created and has not seen removed: a renewal goes to the user's slot.
  const owners = new Map<string, string>()
  // Sessions the consume script opened whose createSession has not come yet (the same turn of the connection).
  const opened = new Map<string, boolean>()
  const warn = (what: string) => (err: Error) => { log.warn({ err: err.message }, `redis ${what} failed`) }

  async function undoCreate (record: SessionRecord, indexed: boolean): Promise<void> {
    await Promise.all([
      client.del(keys.session(record.sessionId)).catch(warn('session cleanup')),
      indexed ? client.wsauthRemoveSession(...keys.user(record.userId), record.sessionId).catch(warn('session cleanup')) : undefined
    ])
  }

  return {
    /** The consume script opened the session (created, or refused by the limit): what its createSession answers. */
    openedByConsume (sessionId: string, userId: string, created: boolean): void {
      opened.set(sessionId, created)
      if (created) owners.set(sessionId, userId)
    },

    async createSession (record: SessionRecord, { maxPerUser, leaseMs }: SessionOptions): Promise<boolean> {
      const { sessionId, userId } = record
      const answer = opened.get(sessionId)
      if (answer !== undefined) {
        opened.delete(sessionId)
        return answer
      }
      const json = JSON.stringify(record)
      const expiresAt = Date.parse(record.expiresAt)
      // Two slots on a Cluster (the user's, the session id's): sent together, one round trip.
      const [created, saved] = await Promise.allSettled([
        client.wsauthCreateSession(...keys.user(userId), sessionId, expiresAt, leaseMs, maxPerUser, json),
        client.set(keys.session(sessionId), json, 'PX', leaseMs)
      ])
      const indexed = created.status === 'fulfilled' && created.value === 1
      if (indexed && saved.status === 'fulfilled') {
        owners.set(sessionId, userId)
        return true
      }
      // Refused or half-written: undo the half that landed, so nothing counts or resolves without the other.
      await undoCreate(record, indexed)
      const failed = [created, saved].find(result => result.status === 'rejected')
      if (failed !== undefined) await guard('createSession', Promise.reject(failed.reason))
      return false
    },

    /**
     * One batch: a script per user (its sessions' scores) and a PEXPIRE per lookup key, issued in
     * one turn so auto-pipelining sends them as one pipeline (on a Cluster: one per master, at once).
     */
    async renewLeases (sessionIds: readonly string[], leaseMs: number): Promise<string[]> {
      const byUser = new Map<string, string[]>()
      // Not created here, or already found gone: nothing to renew.
      const unknown: string[] = []
      for (const id of sessionIds) {
        const userId = owners.get(id)
        if (userId === undefined) {
          unknown.push(id)
          continue
        }
        const ids = byUser.get(userId) ?? []
        if (ids.length === 0) byUser.set(userId, ids)
        ids.push(id)
      }
      const [gone] = await guard('renewLeases', Promise.all([
        Promise.all([...byUser].map(async ([userId, ids]) => await client.wsauthRenewLeases(...keys.user(userId), leaseMs, ...ids))),
        Promise.all([...byUser.values()].flat().map(async id => await client.pexpire(keys.session(id), leaseMs)))
      ]))
      // Gone for good (removed elsewhere, expired, lapsed): never renewed again.
      for (const id of gone.flat()) owners.delete(id)
      return [...unknown, ...gone.flat()]
    },

    async updateSessionExpiry (sessionId: string, expiresAt: string): Promise<boolean> {
      const record = live(parse(await guard('updateSessionExpiry', client.get(keys.session(sessionId)))))
      if (record === undefined) return false
      const json = JSON.stringify({ ...record, expiresAt })
      const [updated] = await guard('updateSessionExpiry', Promise.all([
        client.wsauthUpdateExpiry(...keys.user(record.userId), sessionId, Date.parse(expiresAt), json),
        client.set(keys.session(sessionId), json, 'KEEPTTL', 'XX')
      ]))
      return updated === 1
    },

    async getSession (sessionId: string): Promise<SessionRecord | undefined> {
      return live(parse(await guard('getSession', client.get(keys.session(sessionId)))))
    },

    async removeSession (sessionId: string): Promise<boolean> {
      const userId = owners.get(sessionId)
      owners.delete(sessionId)
      if (userId !== undefined) {
        // Opened here (the usual close): its user is known, so both halves go at once, one round trip.
        const [json] = await guard('removeSession', Promise.all([
          client.getdel(keys.session(sessionId)),
          client.wsauthRemoveSession(...keys.user(userId), sessionId)
        ]))
        return live(parse(json)) !== undefined
      }
      const record = parse(await guard('removeSession', client.get(keys.session(sessionId))))
      if (record === undefined) return false
      const [, deleted] = await guard('removeSession', Promise.all([
        client.wsauthRemoveSession(...keys.user(record.userId), sessionId),
        client.del(keys.session(sessionId))
      ]))
      return deleted === 1 && live(record) !== undefined
    },

    async listSessions (userId: string): Promise<SessionRecord[]> {
      const records = await guard('listSessions', client.wsauthListSessions(...keys.user(userId)))
      return records.map(json => JSON.parse(json) as SessionRecord).sort((a, b) => a.authenticatedAt.localeCompare(b.authenticatedAt))
    },

    /** One read-only script per user, issued in one turn: auto-pipelining sends one pipeline (on a Cluster: one per master). */
    async countUserSessions (userIds: readonly string[]): Promise<number[]> {
      return await guard('countUserSessions', Promise.all(userIds.map(async userId => await client.wsauthCountSessions(keys.user(userId)[0]))))
    }
  }
}
