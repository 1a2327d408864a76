import t from 'tap'
import { Redis } from 'ioredis'
import { Client, authenticated, issueTicket, listen, tokenFor } from '../helper.js'
import { REDIS_MISSING, startRedis } from '../support/redis.js'

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
  t.same(await cost(async () => { sessionId = (await client.request({ type: 'ticket_authenticate', ticket })).sessionId }), { evalsha: 2, set: 1 },
    'authenticate: the consume, then the session script and lookup key sent together (two round trips)')
  t.same(await cost(async () => await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers })), { evalsha: 1 }, 'list: one script')
  t.same(await cost(async () => await app.inject({ method: 'GET', url: '/health' })), { ping: 1, publish: 1 }, 'health: one PING, one event round trip')
  t.same(await cost(async () => await app.inject({ method: 'GET', url: '/health' })), { ping: 1 }, 'health again at once: the event round trip is reused')
  t.same(await cost(async () => {
    await app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${sessionId}`, headers })
    await client.closed
  }), { get: 3, evalsha: 1, del: 1, publish: 1 }, 'revoke: lookup, remove (lookup, then script and DEL together), publish; the socket close finds nothing left')
})
