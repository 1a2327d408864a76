import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import type { Store, StoreEvent } from '../../src/stores/types.js'
import { startProxy } from '../support/proxy.js'
import { REDIS_MISSING, redisStoreFrom, startRedis, uniquePrefix } from '../support/redis.js'
import { postgresForTests } from '../support/postgres.js'
import { isoIn } from '../support/session-record.js'

/**
 * What Store.publish promises about an instance that is away (src/stores/types.ts):
 * two stores on one server, `here` direct and `away` through a proxy that is
 * stopped while `here` revokes a session of `away` and delivers a message.
 */
interface Pair { here: Store, away: Store, cut: () => Promise<void>, mend: () => Promise<void> }

const postgres = await postgresForTests()

async function redisPair (t: Test): Promise<Pair> {
  const server = await startRedis(t)
  const proxy = await startProxy({ port: server.port })
  t.teardown(() => proxy.close())
  const prefix = uniquePrefix()
  const here = await redisStoreFrom(t, { REDIS_URL: `redis://127.0.0.1:${server.port}`, REDIS_KEY_PREFIX: prefix })
  const away = await redisStoreFrom(t, { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: prefix })
  return { here, away, cut: async () => { await proxy.stop() }, mend: async () => { await proxy.start() } }
}

async function postgresPair (t: Test): Promise<Pair> {
  const url = new URL(await postgres.database())
  const proxy = await startProxy({ host: url.hostname, port: Number(url.port === '' ? 5432 : url.port) })
  t.teardown(() => proxy.close())
  const { createPostgresStore } = await import('../../src/stores/postgres.js')
  const here = await createPostgresStore({ url: url.toString() })
  url.hostname = '127.0.0.1'
  url.port = String(proxy.port)
  const away = await createPostgresStore({ url: url.toString() })
  t.teardown(async () => { await Promise.all([here.close(), away.close()]) })
  return { here, away, cut: async () => { await proxy.stop() }, mend: async () => { await proxy.start() } }
}

/**
 * Until `away` hears a marker published after it came back (and answers ping: on
 * PostgreSQL, listening again and caught up); a deadline, not a fixed wait.
 */
async function backAndCaughtUp (pair: Pair, seen: StoreEvent[], deadlineMs = 15_000): Promise<void> {
  const end = Date.now() + deadlineMs
  const heard = (): boolean => seen.some(e => e.kind === 'deliver' && e.payload === 'marker')
  while (!heard() || !await pair.away.ping().then(() => true, () => false)) {
    if (Date.now() > end) throw new Error('the disconnected store did not come back')
    await pair.here.publish({ kind: 'deliver', userId: 'nobody', payload: 'marker' })
    // The next marker only once this one had its round trip's worth of time.
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function missWhileAway (t: Test, pair: Pair): Promise<{ seen: StoreEvent[], sessionId: string }> {
  const seen: StoreEvent[] = []
  pair.away.subscribe(event => { seen.push(event) })
  const sessionId = `session_${randomBytes(16).toString('hex')}`
  const record = { sessionId, userId: 'dana', entityId: 'e', entityType: 'BRAND', chatServerKey: 'UD21', authenticatedAt: new Date().toISOString(), expiresAt: isoIn() }
  t.equal(await pair.away.createSession(record, { maxPerUser: 10, leaseMs: 60_000 }), true)
  await pair.cut()
  await pair.here.removeSession(sessionId)
  await pair.here.publish({ kind: 'revoke', sessionId })
  await pair.here.publish({ kind: 'deliver', userId: 'dana', payload: 'missed' })
  await pair.mend()
  await backAndCaughtUp(pair, seen)
  return { seen, sessionId }
}

const missed = (seen: StoreEvent[]) => seen.filter(e => e.kind === 'deliver' && e.payload === 'missed')

t.test('store events › redis: at most once, nothing is replayed to an instance that was away', { skip: REDIS_MISSING }, async t => {
  const { seen } = await missWhileAway(t, await redisPair(t))
  t.same(missed(seen), [], 'the delivery is lost')
  t.same(seen.filter(e => e.kind === 'revoke'), [], 'the revocation is lost')
})

t.test('store events › postgres: deliveries are lost, revocations of its own sessions are recovered', { skip: postgres.skip === false ? undefined : postgres.skip }, async t => {
  const { seen, sessionId } = await missWhileAway(t, await postgresPair(t))
  t.same(missed(seen), [], 'the delivery is lost')
  t.same(seen.filter(e => e.kind === 'revoke'), [{ kind: 'revoke', sessionId }], 'the revocation is recovered once')
})
