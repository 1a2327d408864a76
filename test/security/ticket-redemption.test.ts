import t, { type Test } from 'tap'
import { EventEmitter } from 'node:events'
import { Redis } from 'ioredis'
import { createMemoryStore } from '../../src/stores/memory.js'
import type { Store } from '../../src/stores/types.js'
import { authHeaders, Client, listen, tokenFor, type App } from '../helper.js'
import { waitFor } from '../support/events.js'
import { withFaults } from '../support/faults.js'
import { postgresForTests } from '../support/postgres.js'
import { startProxy } from '../support/proxy.js'
import { REDIS_MISSING, redisStoreFrom, startRedis } from '../support/redis.js'

const postgres = await postgresForTests()
const PG_SKIP = postgres.skip === false ? undefined : postgres.skip

/** The store, with an event when it gives a ticket back and one when a release has answered: the test waits on them instead of sleeping. */
function watched (store: Store) {
  const events = new EventEmitter()
  const releaseTicket = async (digest: string, consumeId: string) => {
    const released = await store.releaseTicket(digest, consumeId)
    if (released) events.emit('released')
    events.emit('settled', released)
    return released
  }
  return { store: { ...store, releaseTicket }, events }
}

async function ticketFor (app: App, xff: string): Promise<string> {
  const res = await app.inject({
    method: 'POST', url: '/api/websocket/ticket', headers: { ...authHeaders(tokenFor(app, 'alice')), 'x-forwarded-for': xff }, payload: { userId: 'alice' }
  })
  return res.json().ticket
}

async function connect (t: Test, ws: string, xff = '192.0.2.1'): Promise<Client> {
  const [client] = await Client.connect(ws, { headers: { 'x-forwarded-for': xff } })
  t.teardown(() => client.close())
  return client
}

const backends: Array<{ name: string, skip?: string, make: (t: Test) => Promise<Store> }> = [
  { name: 'memory', make: async () => createMemoryStore() },
  { name: 'redis', skip: REDIS_MISSING, make: async t => await redisStoreFrom(t, { REDIS_URL: (await startRedis(t)).url }) },
  {
    name: 'postgres',
    skip: PG_SKIP,
    make: async () => (await import('../../src/stores/postgres.js')).createPostgresStore({ url: await postgres.database() })
  }
]

for (const backend of backends) {
  t.test(`IP_MISMATCH › ${backend.name}: a thief at another address does not spend the bound ticket; its owner then redeems it`, { skip: backend.skip }, async t => {
    // The app closes the store it is given.
    const store = await backend.make(t)
    const { app, ws } = await listen(t, { TICKET_BIND_IP: 'true', TRUST_PROXY: '1' }, { store })
    const ticket = await ticketFor(app, '192.0.2.1')
    const thief = await connect(t, ws, '192.0.2.1, 198.51.100.7')
    t.match(await thief.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_error', code: 'IP_MISMATCH' })
    const owner = await connect(t, ws)
    t.match(await owner.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_success' })
  })
}

/** Present the ticket while the store loses the reply, heal it, wait for the give-back, retry on the same socket. */
async function lostConsumeThenRetry (t: Test, store: Store, stall: () => Promise<void>, heal: () => Promise<void>) {
  const watch = watched(store)
  const { app, ws } = await listen(t, {}, { store: watch.store })
  const ticket = await ticketFor(app, '192.0.2.1')
  const client = await connect(t, ws)
  await stall()
  const released = waitFor(watch.events, 'released', () => true, 20_000)
  t.match(await client.request({ type: 'ticket_authenticate', ticket }), { code: 'AUTH_ERROR' }, 'the reply was lost: try again')
  await heal()
  await released
  t.match(await client.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_success' }, 'the retry redeems it')
  const other = await connect(t, ws)
  t.match(await other.request({ type: 'ticket_authenticate', ticket }), { code: 'TICKET_USED' }, 'given back once: now spent for good')
}

t.test('lost consume › redis: CLIENT PAUSE during redemption, the consume runs after the timeout, the ticket is given back', { skip: REDIS_MISSING }, async t => {
  const server = await startRedis(t)
  const store = await redisStoreFrom(t, { REDIS_URL: server.url, REDIS_COMMAND_TIMEOUT_MS: '200' })
  const admin = new Redis(server.port, '127.0.0.1')
  t.teardown(() => admin.disconnect())
  // Writes wait out the pause, then run: the consume spends the ticket after its caller gave up on it.
  await lostConsumeThenRetry(t, store, async () => { await admin.call('CLIENT', 'PAUSE', '1000', 'WRITE') }, async () => {})
})

/** A fresh database behind a proxy, migrated first (a short query timeout could fail the migrations on a loaded machine); `open` makes stores through the proxy. */
async function postgresBehindProxy (t: Test) {
  const direct = await postgres.database()
  const { createPostgresStore } = await import('../../src/stores/postgres.js')
  await (await createPostgresStore({ url: direct })).close()
  const url = new URL(direct)
  const proxy = await startProxy({ host: url.hostname, port: Number(url.port === '' ? 5432 : url.port) })
  t.teardown(() => proxy.close())
  url.hostname = '127.0.0.1'
  url.port = String(proxy.port)
  return { proxy, open: async (queryTimeoutMs: number) => await createPostgresStore({ url: url.toString(), queryTimeoutMs }) }
}

t.test('lost consume › postgres: the reply is held past the query timeout, the consume has committed, the ticket is given back', { skip: PG_SKIP }, async t => {
  const { proxy, open } = await postgresBehindProxy(t)
  await lostConsumeThenRetry(t, await open(300), async () => { proxy.pauseReplies() }, async () => { proxy.resume() })
})

t.test('lost consume › memory: a consume either answers or fails before reading the ticket; the retry redeems it', async t => {
  const faults = withFaults(createMemoryStore())
  const { app, ws } = await listen(t, {}, { store: faults.store })
  const ticket = await ticketFor(app, '192.0.2.1')
  const client = await connect(t, ws)
  faults.fail('consumeTicket')
  t.match(await client.request({ type: 'ticket_authenticate', ticket }), { code: 'AUTH_ERROR' })
  faults.heal()
  t.match(await client.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_success' })
})

/**
 * Two consumes of one ticket lose their reply (`stall` loses `lost`'s replies; `other` answers unless it
 * is the same store): the ticket is given back at most once, and exactly one redemption ever succeeds,
 * the `other` one or a retry. So a spend that authenticated is never given back (the retries would then
 * succeed too); the `other` consume may land after the give-back and redeem it, as a retry would.
 */
async function twoLostConsumes (t: Test, lost: Store, other: Store, stall: () => Promise<void>, heal: () => Promise<void>) {
  const watch = watched(lost)
  const a = await listen(t, {}, { store: watch.store })
  const b = other === lost ? a : await listen(t, {}, { store: other })
  const ticket = await ticketFor(a.app, '192.0.2.1')
  const [first, second] = [await connect(t, a.ws), await connect(t, b.ws)]
  const releases: boolean[] = []
  const bothSettled = waitFor(watch.events, 'settled', (released: boolean) => releases.push(released) === (other === lost ? 2 : 1), 20_000)
  await stall()
  const [lostReply, otherReply] = [first, second].map(async c => await c.request({ type: 'ticket_authenticate', ticket }))
  // Healed once the replies to be lost are lost: the other store's consume is answered after that.
  await (other === lost ? Promise.all([lostReply, otherReply]) : lostReply)
  await heal()
  const [lostAnswer, otherAnswer] = await Promise.all([lostReply, otherReply])
  t.match(lostAnswer, { code: 'AUTH_ERROR' }, 'the first reply was lost: try again')
  if (other === lost) t.match(otherAnswer, { code: 'AUTH_ERROR' }, 'so was the second')
  await bothSettled
  const authenticated = otherAnswer.type === 'authentication_success' ? 1 : 0
  t.ok(releases.filter(Boolean).length <= 1, `given back ${releases.filter(Boolean).length} times (at most once)`)
  const retries = await Promise.all([await connect(t, a.ws), await connect(t, b.ws)].map(async c => await c.request({ type: 'ticket_authenticate', ticket })))
  t.equal(authenticated + retries.filter(r => r.type === 'authentication_success').length, 1, 'exactly one redemption ever succeeds')
  t.ok(retries.every(r => r.type === 'authentication_success' || r.code === 'TICKET_USED'), 'the others are told it is used')
}

/** A Redis store on a shared server (one key prefix), with its command timeout. */
const redisSharing = async (t: Test, url: string, prefix: string, timeoutMs: string) =>
  await redisStoreFrom(t, { REDIS_URL: url, REDIS_KEY_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: timeoutMs })

for (const both of [true, false]) {
  const what = both ? 'both lose their reply' : 'one loses its reply, the other is answered'
  t.test(`two lost consumes › redis: ${what} (CLIENT PAUSE)`, { skip: REDIS_MISSING }, async t => {
    const server = await startRedis(t)
    const admin = new Redis(server.port, '127.0.0.1')
    t.teardown(() => admin.disconnect())
    const prefix = `two-${process.pid}:`
    const lost = await redisSharing(t, server.url, prefix, '200')
    const other = both ? lost : await redisSharing(t, server.url, prefix, '10000')
    await twoLostConsumes(t, lost, other, async () => { await admin.call('CLIENT', 'PAUSE', '1500', 'WRITE') }, async () => {})
  })

  t.test(`two lost consumes › postgres: ${what} (replies held past the query timeout)`, { skip: PG_SKIP }, async t => {
    const { proxy, open } = await postgresBehindProxy(t)
    const lost = await open(300)
    const other = both ? lost : await open(10_000)
    await twoLostConsumes(t, lost, other, async () => { proxy.pauseReplies() }, async () => { proxy.resume() })
  })
}

t.test('two lost consumes › memory: both fail before reading the ticket; afterwards exactly one redemption succeeds', async t => {
  const faults = withFaults(createMemoryStore())
  await twoLostConsumes(t, faults.store, faults.store, async () => { faults.fail('consumeTicket') }, async () => { faults.heal() })
})
