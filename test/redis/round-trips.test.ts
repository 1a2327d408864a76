import t from 'tap'
import { Redis } from 'ioredis'
import { Client, authenticated, issueTicket, listen, tokenFor } from '../helper.js'
import { removalOf } from '../support/events.js'
import { startProxy } from '../support/proxy.js'
import { FAST_SYNC, REDIS_MISSING, startRedis, uniquePrefix } from '../support/redis.js'
import { acknowledges, hasReplicas, until } from '../support/redis-replication.js'

/** The Redis commands each operation sends, as the server sees them (MONITOR; commands run inside scripts left out). */
t.test('redis cost › commands per operation, as documented in docs/redis.md', { skip: REDIS_MISSING }, async t => {
  const server = await startRedis(t)
  const admin = new Redis(server.url)
  t.teardown(() => admin.disconnect())
  const { app, ws } = await listen(t, { REDIS_URL: server.url })
  const headers = { authorization: `Bearer ${tokenFor(app, 'hana')}`, 'x-chat-server-key': 'UD21' }
  // The first call of each script loads it (EVALSHA, NOSCRIPT, EVAL): warm them all up.
  const [warm] = await authenticated(app, ws, 'hana')
  await app.store.listSessions('hana')
  warm.close()
  await warm.closed
  await new Promise(resolve => setTimeout(resolve, 100))

  const monitor = await admin.monitor()
  t.teardown(() => monitor.disconnect())
  let seen: string[] = []
  monitor.on('monitor', (_time: string, args: string[], source: string) => { if (source !== 'lua') seen.push(args[0]) })
  async function cost (work: () => Promise<unknown>): Promise<Record<string, number>> {
    seen = []
    await work()
    await new Promise(resolve => setTimeout(resolve, 100))
    const counts: Record<string, number> = {}
    for (const name of seen.map(s => s.split(' ')[0].toLowerCase())) counts[name] = (counts[name] ?? 0) + 1
    return counts
  }

  let ticket = ''
  t.same(await cost(async () => { ticket = await issueTicket(app, 'hana') }), { evalsha: 1, set: 1 }, 'issue: rate-limit counter, then the ticket')
  const [client] = await Client.connect(ws)
  let sessionId = ''
  t.same(await cost(async () => { sessionId = (await client.request({ type: 'ticket_authenticate', ticket })).sessionId }), { evalsha: 1 },
    'authenticate: one script consumes the ticket and opens the session (one round trip)')
  t.same(await cost(async () => await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers })), { evalsha: 1 }, 'list: one script')
  t.same(await cost(async () => await app.inject({ method: 'GET', url: '/health' })), { ping: 1, publish: 1 }, 'health: one PING, one event round trip')
  t.same(await cost(async () => await app.inject({ method: 'GET', url: '/health' })), { ping: 1 }, 'health again at once: the event round trip is reused')
  t.same(await cost(async () => {
    await app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${sessionId}`, headers })
    await client.closed
  }), { get: 2, getdel: 1, evalsha: 1, publish: 1 },
  'revoke: lookup, remove (by the instance that opened it: GETDEL and script together), publish; the socket close finds nothing left')
})

/**
 * Round trips, counted on the wire: a proxy in front of Redis counts the writes the service makes
 * (commands pipelined together leave in one write and count once) and holds each way DELAY_MS, so
 * a round trip costs at least 2 × DELAY_MS and the elapsed time shows that many sequential waits.
 * A handshake is the ticket request up to `authentication_success`; the close's removal comes after.
 */
const DELAY_MS = 25

t.test('redis round trips › a handshake takes 3 (ticket 2, authentication 1 with or without WAIT), the close 1', { skip: REDIS_MISSING }, async t => {
  const master = await startRedis(t, { extra: FAST_SYNC })
  await startRedis(t, { extra: [...FAST_SYNC, '--replicaof', '127.0.0.1', String(master.port)] })
  await until('the replica to acknowledge writes', async () => await hasReplicas(master.port, 1) && await acknowledges(master.port, 1, 200))
  const proxy = await startProxy({ port: master.port })
  t.teardown(() => proxy.close())

  for (const replicas of ['0', '1']) {
    t.test(`REDIS_WAIT_REPLICAS=${replicas}`, async t => {
      // No lease renewal (every third of the lease) may fall inside a counted step.
      const env = { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: uniquePrefix(), REDIS_WAIT_REPLICAS: replicas, SESSION_LEASE_SECONDS: '3600' }
      const { app, ws } = await listen(t, env)
      async function counted (work: () => Promise<unknown>): Promise<{ trips: number, ms: number }> {
        const [requests, started] = [proxy.requests, performance.now()]
        await work()
        return { trips: proxy.requests - requests, ms: performance.now() - started }
      }
      async function handshake (): Promise<Record<string, { trips: number, ms: number }>> {
        let ticket = ''
        const issue = await counted(async () => { ticket = await issueTicket(app, 'rita') })
        const [client] = await Client.connect(ws)
        let sessionId = ''
        const authenticate = await counted(async () => { sessionId = (await client.request({ type: 'ticket_authenticate', ticket })).sessionId })
        t.ok(sessionId.startsWith('session_'))
        const removed = removalOf(app.liveSockets.events, sessionId)
        const close = await counted(async () => { client.close(); await removed })
        return { issue, authenticate, close }
      }
      // The first call of each script loads it (NOSCRIPT, then EVAL).
      await handshake()
      proxy.delay(DELAY_MS)
      t.teardown(() => { proxy.delay(0) })
      const costs = await handshake()
      t.same(Object.fromEntries(Object.entries(costs).map(([step, { trips }]) => [step, trips])), { issue: 2, authenticate: 1, close: 1 },
        'ticket: rate-limit script, then SET; authentication: the consume script opening the session (+ WAIT, same write); close: GETDEL and the remove script, together')
      for (const [step, { trips, ms }] of Object.entries(costs)) t.ok(ms >= trips * 2 * DELAY_MS, `${step}: ${trips} sequential wait(s), ${Math.round(ms)} ms`)
    })
  }
})
