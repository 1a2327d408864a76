import t from 'tap'
import { authHeaders, authenticated, issueTicket, listen, tokenFor } from '../helper.js'
import { FAST_SYNC, REDIS_MISSING, redisStoreFrom, startRedis, uniquePrefix } from '../support/redis.js'
import { command, hasReplicas, until } from '../support/redis-replication.js'
import { reconnectOnReadonly } from '../../src/stores/redis-sentinel.js'

/**
 * What the Redis store warns about once at startup (§8): replicas without
 * WAIT, too few replicas for WAIT, and an eviction policy that can drop our
 * keys, which all carry a TTL (checked here), so volatile-* policies count too.
 */
function capture () {
  const lines: Array<{ level: string, msg: string }> = []
  return {
    lines,
    log: { info: (_o: object, msg: string) => { lines.push({ level: 'info', msg }) }, warn: (_o: object, msg: string) => { lines.push({ level: 'warn', msg }) } }
  }
}

t.test('redis startup checks', { skip: REDIS_MISSING }, async t => {
  const master = await startRedis(t, { extra: FAST_SYNC })

  t.test('redis startup checks › a lone server with noeviction: nothing to say', async t => {
    const { lines, log } = capture()
    await redisStoreFrom(t, { REDIS_URL: master.url }, log)
    t.same(lines, [])
  })

  t.test('redis startup checks › an eviction policy other than noeviction is a warning, volatile-* included', async t => {
    for (const policy of ['allkeys-lru', 'volatile-lru', 'volatile-ttl']) {
      await command(master.port, 'CONFIG', 'SET', 'maxmemory-policy', policy)
      const { lines, log } = capture()
      await redisStoreFrom(t, { REDIS_URL: master.url }, log)
      t.match(lines, [{ level: 'warn', msg: new RegExp(`maxmemory-policy ${policy} can evict tickets and sessions`) }], policy)
    }
    await command(master.port, 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction')
  })

  t.test('redis startup checks › a server that refuses CONFIG is noted, not fatal', async t => {
    await command(master.port, 'ACL', 'SETUSER', 'noconfig', 'on', '>pw', '~*', '&*', '+@all', '-config')
    const { lines, log } = capture()
    await redisStoreFrom(t, { REDIS_URL: `redis://noconfig:pw@127.0.0.1:${master.port}` }, log)
    t.match(lines, [{ level: 'info', msg: /could not read the replication and eviction settings/ }])
  })

  t.test('redis startup checks › replicas without REDIS_WAIT_REPLICAS, and fewer replicas than it asks for', async t => {
    await startRedis(t, { extra: [...FAST_SYNC, '--replicaof', '127.0.0.1', String(master.port)] })
    await until('the replica to sync', async () => await hasReplicas(master.port, 1))
    const none = capture()
    await redisStoreFrom(t, { REDIS_URL: master.url }, none.log)
    t.match(none.lines, [{ level: 'warn', msg: /replicas are attached but REDIS_WAIT_REPLICAS=0/ }])
    const two = capture()
    await redisStoreFrom(t, { REDIS_URL: master.url, REDIS_WAIT_REPLICAS: '2' }, two.log)
    t.match(two.lines, [{ level: 'warn', msg: /fewer replicas attached than REDIS_WAIT_REPLICAS/ }])
    const one = capture()
    await redisStoreFrom(t, { REDIS_URL: master.url, REDIS_WAIT_REPLICAS: '1' }, one.log)
    t.same(one.lines, [], 'one replica for REDIS_WAIT_REPLICAS=1: nothing to say')
  })

  t.test('redis startup checks › every key the service writes expires', async t => {
    const prefix = uniquePrefix()
    const { app, ws } = await listen(t, { REDIS_URL: master.url, REDIS_KEY_PREFIX: prefix })
    await issueTicket(app, 'kim')
    const [client, session] = await authenticated(app, ws, 'kim')
    t.teardown(() => client.close())
    await authenticated(app, ws, 'kim').then(([other]) => { other.close() })
    await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: authHeaders(tokenFor(app, 'kim')) })
    t.equal(session.type, 'authentication_success')
    const keys = await command(master.port, 'KEYS', `${prefix}*`) as string[]
    t.ok(keys.length >= 5, `${keys.length} keys: tickets (used and unused), sessions, the user's index and records, the rate limit`)
    const ttls = await Promise.all(keys.map(async key => [key, await command(master.port, 'PTTL', key)] as const))
    t.same(ttls.filter(([, ttl]) => Number(ttl) === -1), [], 'none without a TTL (-1; -2 is a key removed meanwhile)')
  })
})

t.test('redis client › a READONLY reply (a demoted master) reconnects and resends; nothing else does', async t => {
  t.equal(reconnectOnReadonly(new Error("READONLY You can't write against a read only replica.")), 2)
  t.equal(reconnectOnReadonly(new Error('NOSCRIPT')), false)
})
