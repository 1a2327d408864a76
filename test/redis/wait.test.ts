import t from 'tap'
import { Client, issueTicket, listen } from '../helper.js'
import { removalOf } from '../support/events.js'
import { FAST_SYNC, REDIS_MISSING, redisStoreFrom, startRedis, uniquePrefix } from '../support/redis.js'
import { acknowledges, command, hasReplicas, until } from '../support/redis-replication.js'
import { ConsumeUnconfirmedError, StoreUnavailableError } from '../../src/stores/types.js'

/**
 * REDIS_WAIT_REPLICAS (§8) on a master with one replica: a consume counts only
 * once the replica acknowledged it; a replica that stops acknowledging fails
 * authentications AUTH_ERROR within REDIS_WAIT_TIMEOUT_MS and spends the ticket.
 */
const WAIT_TIMEOUT_MS = 200
// A loaded CI machine: the bound is the WAIT timeout plus this much.
const SLACK_MS = 800

t.test('REDIS_WAIT_REPLICAS', { skip: REDIS_MISSING }, async t => {
  const master = await startRedis(t, { extra: FAST_SYNC })
  const replica = await startRedis(t, { extra: [...FAST_SYNC, '--replicaof', '127.0.0.1', String(master.port)] })
  await until('the replica to sync', async () => await hasReplicas(master.port, 1))
  await until('the replica to acknowledge writes', async () => await acknowledges(master.port, 1, WAIT_TIMEOUT_MS))
  const env = { REDIS_URL: master.url, REDIS_KEY_PREFIX: uniquePrefix(), REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS) }
  const { app, ws } = await listen(t, env)
  const redeem = async (ticket: string) => {
    const [client] = await Client.connect(ws)
    t.teardown(() => client.close())
    return await client.request({ type: 'ticket_authenticate', ticket })
  }

  t.test('REDIS_WAIT_REPLICAS › with the replica acknowledging, authentication succeeds and a replay is TICKET_USED', async t => {
    const ticket = await issueTicket(app, 'wanda')
    t.match(await redeem(ticket), { type: 'authentication_success' })
    t.match(await redeem(ticket), { type: 'authentication_error', code: 'TICKET_USED' })
  })

  t.test('REDIS_WAIT_REPLICAS › a replica that stops acknowledging: AUTH_ERROR within the timeout, ticket spent, other traffic unhindered', async t => {
    const ticket = await issueTicket(app, 'wanda')
    const [client] = await Client.connect(ws)
    t.teardown(() => client.close())
    replica.pause()
    t.teardown(() => replica.resume())
    const started = Date.now()
    client.send({ type: 'ticket_authenticate', ticket })
    await until('the consume to wait for the replica', async () => /blocked_clients:[1-9]/.test(String(await command(master.port, 'INFO', 'clients'))))
    let answeredAt = Infinity
    const answer = client.next().then(message => { answeredAt = Date.now(); return message })
    // WAIT blocks only the consume connection: a ticket is issued meanwhile, not queued behind it.
    await issueTicket(app, 'wanda')
    const issuedAt = Date.now()
    t.match(await answer, { type: 'authentication_error', code: 'AUTH_ERROR' })
    const elapsed = answeredAt - started
    t.ok(elapsed >= WAIT_TIMEOUT_MS && elapsed < WAIT_TIMEOUT_MS + SLACK_MS, `answered after ${elapsed} ms`)
    t.ok(issuedAt < answeredAt, 'a ticket was issued while the consume waited')
    replica.resume()
    await until('the replica to be back in sync', async () => await hasReplicas(master.port, 1))
    t.match(await redeem(ticket), { type: 'authentication_error', code: 'TICKET_USED' }, 'the unconfirmed consume spent the ticket')
  })

  t.test('REDIS_WAIT_REPLICAS › an unconfirmed consume that opened the session: the session is removed, the ticket stays spent', async t => {
    const ticket = await issueTicket(app, 'wendy')
    const [client, hello] = await Client.connect(ws)
    t.teardown(() => client.close())
    const removed = removalOf(app.liveSockets.events, hello.sessionId)
    replica.pause()
    t.teardown(() => replica.resume())
    t.match(await client.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_error', code: 'AUTH_ERROR' })
    t.same(await removed, [hello.sessionId, 'removed'])
    t.same(await app.store.listSessions('wendy'), [])
    replica.resume()
    await until('the replica to be back in sync', async () => await hasReplicas(master.port, 1))
    t.match(await client.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_error', code: 'TICKET_USED' })
  })

  t.test('REDIS_WAIT_REPLICAS › the store throws ConsumeUnconfirmedError, a StoreUnavailableError', async t => {
    const store = await redisStoreFrom(t, { REDIS_URL: master.url, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '50' })
    const record = { userId: 'u', chatServerKey: 'UD21', clientIp: '127.0.0.1', createdAt: Date.now(), expiresAt: Date.now() + 60_000 }
    await store.issueTicket('ab'.repeat(32), record)
    replica.pause()
    t.teardown(() => replica.resume())
    const failure = await store.consumeTicket('ab'.repeat(32)).catch((err: unknown) => err)
    t.ok(failure instanceof ConsumeUnconfirmedError && failure instanceof StoreUnavailableError)
    t.match(failure, { message: /acknowledged by 0 of 1 replicas within 50 ms/ })
  })

  t.test('REDIS_WAIT_REPLICAS › WAIT or the consume refused by the server (ACL): unconfirmed, or unavailable', async t => {
    await command(master.port, 'ACL', 'SETUSER', 'nowait', 'on', '>pw', '~*', '&*', '+@all', '-wait')
    await command(master.port, 'ACL', 'SETUSER', 'noscript', 'on', '>pw', '~*', '&*', '+@all', '-evalsha', '-eval')
    const record = { userId: 'u', chatServerKey: 'UD21', clientIp: '127.0.0.1', createdAt: Date.now(), expiresAt: Date.now() + 60_000 }
    for (const [user, expected] of [['nowait', /acknowledged by none \(NOPERM/], ['noscript', /consumeTicket failed: NOPERM/]] as const) {
      const store = await redisStoreFrom(t, { REDIS_URL: `redis://${user}:pw@127.0.0.1:${master.port}`, REDIS_WAIT_REPLICAS: '1' })
      await store.issueTicket('cd'.repeat(32), record)
      await t.rejects(store.consumeTicket('cd'.repeat(32)), { name: /ConsumeUnconfirmedError|StoreUnavailableError/, message: expected }, user)
    }
  })
})
