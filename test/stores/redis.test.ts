import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { loadConfig, type RedisConfig } from '../../src/config.js'
import { createRedisStore, redisKeys } from '../../src/stores/redis.js'
import { createRedisClient, untilReady } from '../../src/stores/redis-client.js'
import { StoreUnavailableError, type StoreEvent, type TicketRecord } from '../../src/stores/types.js'
import { REDIS_MISSING, dump, freePort, redisCluster, redisStoreFrom, redisUrl, startRedis, uniquePrefix } from '../support/redis.js'
import { isoIn } from '../support/session-record.js'

const record = (expiresAt = Date.now() + 60_000): TicketRecord => ({
  userId: 'alice', chatServerKey: 'UD21', clientIp: '127.0.0.1', createdAt: Date.now(), expiresAt
})
const session = (userId: string) => ({
  sessionId: `session_${randomBytes(16).toString('hex')}`, userId, chatServerKey: 'UD21', authenticatedAt: new Date().toISOString(), expiresAt: isoIn()
})
const sleep = async (ms: number) => await new Promise(resolve => setTimeout(resolve, ms))

/** A logger that keeps what it is told, for assertions. */
function captureLog () {
  const lines: string[] = []
  return { lines, info: (_o: object, msg: string) => { lines.push(msg) }, warn: (_o: object, msg: string) => { lines.push(msg) } }
}

t.test('redis store', { skip: REDIS_MISSING }, async t => {
  const url = await redisUrl(t)
  const raw = new Redis(url)
  t.teardown(() => raw.disconnect())

  t.test('redis store › a ticket is stored under its SHA-256, consumed into a tombstone kept until expiry + 5 min', async t => {
    const prefix = uniquePrefix()
    const store = await redisStoreFrom(t, { REDIS_URL: url, REDIS_KEY_PREFIX: prefix })
    const ticket = `ws_ticket_${randomBytes(32).toString('hex')}`
    const digest = createHash('sha256').update(ticket).digest('hex')
    await store.issueTicket(digest, record())

    const stored = await dump(url, prefix)
    t.same(stored.map(k => k.key), [`${prefix}t:${digest}`])
    t.notOk(stored.some(k => k.key.includes(ticket.slice(10)) || k.value.includes(ticket.slice(10))), 'no key or value holds the ticket')
    const ttl = await raw.pttl(`${prefix}t:${digest}`)
    t.ok(ttl > 5 * 60_000 + 55_000 && ttl <= 6 * 60_000, `TTL is expiry + 5 min (${ttl} ms)`)

    t.equal((await store.consumeTicket(digest)).status, 'ok')
    const [spent] = await dump(url, prefix)
    // The record stays behind the mark and the consume's id, so a consume whose reply was lost can be given back.
    t.match(spent, { key: `${prefix}t:${digest}`, value: /^used:[0-9a-f]*:\{"userId"/ }, 'the record is marked used by its consume')
    t.ok(await raw.pttl(`${prefix}t:${digest}`) > 5 * 60_000, 'the tombstone keeps the TTL')
    t.same(await store.consumeTicket(digest), { status: 'used' })
  })

  t.test('redis store › a used ticket past its expiry, and one issued already expired, report expired', async t => {
    const store = await redisStoreFrom(t, { REDIS_URL: url })
    const used = randomBytes(32).toString('hex')
    await store.issueTicket(used, record(Date.now() + 50))
    t.equal((await store.consumeTicket(used)).status, 'ok')
    await sleep(120)
    t.same(await store.consumeTicket(used), { status: 'expired' })
    const late = randomBytes(32).toString('hex')
    await store.issueTicket(late, record(Date.now() - 1000))
    t.same(await store.consumeTicket(late), { status: 'expired' })
  })

  t.test('redis store › scripts keep working after the server forgets them (SCRIPT FLUSH)', async t => {
    const store = await redisStoreFrom(t, { REDIS_URL: url })
    const id = randomBytes(32).toString('hex')
    await store.issueTicket(id, record())
    await raw.script('FLUSH')
    t.equal((await store.consumeTicket(id)).status, 'ok')
  })

  t.test('redis store › session keys: one lookup key per session, the user index, records and bounds under the user hash tag', async t => {
    const prefix = uniquePrefix()
    const store = await redisStoreFrom(t, { REDIS_URL: url, REDIS_KEY_PREFIX: prefix })
    const keys = redisKeys(prefix)
    const s = session('a}b{c')
    t.equal(await store.createSession(s, { maxPerUser: 5, leaseMs: 60_000 }), true)
    const userKeys = keys.user(s.userId)
    t.same((await dump(url, prefix)).map(k => k.key).sort(), [keys.session(s.sessionId), ...userKeys].sort())
    t.equal(userKeys[0], `${prefix}{u:a%7Db%7Bc}:sessions`, 'the user id cannot break out of its hash tag')
    for (const key of [keys.session(s.sessionId), ...userKeys]) {
      const ttl = await raw.pttl(key)
      t.ok(ttl > 59_000 && ttl <= 60_000, `${key} expires with the lease, not the later expiresAt`)
    }
    t.equal(await store.removeSession(s.sessionId), true)
    t.same(await dump(url, prefix), [], 'removal leaves nothing behind')
  })

  t.test('redis store › a refused session leaves no lookup key', async t => {
    const prefix = uniquePrefix()
    const store = await redisStoreFrom(t, { REDIS_URL: url, REDIS_KEY_PREFIX: prefix })
    const [first, second] = [session('dave'), session('dave')]
    t.equal(await store.createSession(first, { maxPerUser: 1, leaseMs: 60_000 }), true)
    t.equal(await store.createSession(second, { maxPerUser: 1, leaseMs: 60_000 }), false)
    t.equal(await store.getSession(second.sessionId), undefined)
    t.equal(await raw.exists(redisKeys(prefix).session(second.sessionId)), 0)
  })

  t.test('redis store › malformed events are ignored and a failing listener does not stop the others', async t => {
    const log = captureLog()
    const store = await redisStoreFrom(t, { REDIS_URL: url }, log)
    const received: StoreEvent[] = []
    store.subscribe(() => { throw new Error('listener bug') })
    store.subscribe(event => { received.push(event) })
    // The channel keeps order: once the real event is here, the junk before it has been handled.
    const delivered = new Promise(resolve => { store.subscribe(resolve) })
    const channel = redisKeys(store.keyPrefix).channel
    for (const junk of ['not json', 'null', '{"kind":"other"}']) await raw.publish(channel, junk)
    await store.publish({ kind: 'deliver', userId: 'alice', payload: '{}' })
    await delivered
    t.same(received, [{ kind: 'deliver', userId: 'alice', payload: '{}' }])
    t.equal(log.lines.filter(l => l === 'redis events: ignored a malformed message').length, 3)
    t.ok(log.lines.includes('redis events: a listener failed'))
  })

  t.test('redis store › a client that is already connected is used as it is', async t => {
    const client = createRedisClient(loadConfig({ REDIS_URL: url }).redis as RedisConfig)
    await untilReady(client, 5000)
    const store = await createRedisStore(client, { keyPrefix: uniquePrefix() })
    t.teardown(() => store.close())
    await t.resolves(store.ping())
  })

  t.test('redis store › after close every operation fails with StoreUnavailableError', async t => {
    const store = await redisStoreFrom(t, { REDIS_URL: url })
    await store.close()
    const s = session('erin')
    const ops: Array<() => Promise<unknown>> = [
      () => store.ping(), () => store.issueTicket('x', record()), () => store.consumeTicket('x'), () => store.createSession(s, { maxPerUser: 1, leaseMs: 60_000 }),
      () => store.getSession(s.sessionId), () => store.removeSession(s.sessionId), () => store.listSessions('erin'),
      () => store.publish({ kind: 'revoke', sessionId: 'x' })
    ]
    for (const op of ops) await t.rejects(op(), StoreUnavailableError)
    await t.resolves(store.close(), 'closing twice is harmless')
  })

  t.test('redis store › REDIS_HOST / REDIS_PORT / REDIS_PASSWORD reach a password-protected server', async t => {
    const server = await startRedis(t, { extra: ['--requirepass', 's3cret'] })
    const store = await redisStoreFrom(t, { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(server.port), REDIS_PASSWORD: 's3cret' })
    await t.resolves(store.ping())
  })

  t.test('redis store › a half-written session is undone (ACL refuses one of the two writes)', async t => {
    const server = await startRedis(t)
    const prefix = uniquePrefix()
    const admin = new Redis(server.url)
    t.teardown(() => admin.disconnect())
    // Each user may write only one of the two slots a session lands in.
    await admin.call('ACL', 'SETUSER', 'nolookup', 'on', '>pw', '+@all', '&*', `~${prefix}{u:*`)
    await admin.call('ACL', 'SETUSER', 'noindex', 'on', '>pw', '+@all', '&*', `~${prefix}s:*`)
    const log = captureLog()
    for (const user of ['nolookup', 'noindex']) {
      const store = await redisStoreFrom(t, { REDIS_URL: `redis://${user}:pw@127.0.0.1:${server.port}`, REDIS_KEY_PREFIX: prefix }, log)
      await t.rejects(store.createSession(session('frank'), { maxPerUser: 5, leaseMs: 60_000 }), StoreUnavailableError, `${user}: the failure is reported`)
      t.same(await dump(server.url, prefix), [], `${user}: neither the lookup key nor an index entry is left`)
    }
    t.ok(log.lines.includes('redis session cleanup failed'), 'a cleanup that cannot run is logged')
  })

  t.test('redis store › an unreachable server fails creation in bounded time, naming the reason', async t => {
    const port = await freePort()
    for (const config of [{ REDIS_URL: `redis://127.0.0.1:${port}` }, { REDIS_CLUSTER_NODES: `127.0.0.1:${port}` }]) {
      const client = createRedisClient(loadConfig(config).redis as RedisConfig)
      const started = Date.now()
      await t.rejects(createRedisStore(client, { readyTimeoutMs: 300 }), { name: 'StoreUnavailableError', message: /not reachable within 300 ms/ })
      t.ok(Date.now() - started < 3000, 'gave up on time')
      let attempts = 0
      client.on('connecting', () => { attempts++ })
      await sleep(600)
      t.equal(attempts, 0, 'and stopped reconnecting')
    }
  })
})

t.test('redis cluster store', { skip: REDIS_MISSING }, async t => {
  const nodes = await redisCluster(t)
  const store = await redisStoreFrom(t, { REDIS_CLUSTER_NODES: nodes })

  t.test('redis cluster store › session scripts run on one slot whatever the user id', async t => {
    for (const userId of ['a}b{c', '{x}', '}{', 'ünïcode user']) {
      const s = session(userId)
      t.equal(await store.createSession(s, { maxPerUser: 5, leaseMs: 60_000 }), true)
      t.same((await store.listSessions(userId)).map(r => r.sessionId), [s.sessionId])
      t.equal(await store.removeSession(s.sessionId), true)
    }
  })

  t.test('redis cluster store › ping asks every master', async t => {
    await t.resolves(store.ping())
    t.equal((store.client as import('ioredis').Cluster).nodes('master').length, 3)
  })
})
