import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client, authHeaders, authenticated, issueTicket, listen, tokenFor, type App } from '../helper.js'
import { ownCluster } from '../support/postgres.js'

/** Time one call; the outage rules say every answer comes within a bounded time. */
async function timed<T> (fn: () => Promise<T>): Promise<[T, number]> {
  const start = Date.now()
  const result = await fn()
  return [result, Date.now() - start]
}

const BOUND_MS = 3000
const headersFor = (app: App, user: string) => {
  const { 'content-type': _, ...headers } = authHeaders(tokenFor(app, user))
  return headers
}

// A cluster of its own, even when DATABASE_URL is set: this test stops its server.
const cluster = await ownCluster(t)

t.test('PostgreSQL › the database stopped and restarted mid-run', { skip: typeof cluster === 'string' && cluster }, async t => {
  if (typeof cluster === 'string') return
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => { process.off('unhandledRejection', onUnhandled) })

  const env = { DATABASE_URL: cluster.url(), PG_CONNECT_TIMEOUT_MS: '500', PG_QUERY_TIMEOUT_MS: '1000', PG_CLEANUP_INTERVAL_MS: '100' }
  const a = await listen(t, env)
  const b = await listen(t, env)
  const [live, liveOk] = await authenticated(b.app, b.ws, 'olga')
  const spent = await issueTicket(a.app, 'olga')
  t.equal((await (await Client.connect(a.ws))[0].request({ type: 'ticket_authenticate', ticket: spent })).type, 'authentication_success')
  const pending = await issueTicket(a.app, 'olga')

  await cluster.stop()

  // Awaited: the restart below must wait until every check of the outage has run.
  await t.test('while down', async t => {
    const [issued, issueMs] = await timed(async () => await a.app.inject({
      method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(tokenFor(a.app, 'olga')), payload: { userId: 'olga' }
    }))
    t.equal(issued.statusCode, 503)
    t.equal(issued.json().code, 'DATABASE_ERROR')
    t.ok(issueMs < BOUND_MS, `POST /api/websocket/ticket › 503 DATABASE_ERROR in ${issueMs} ms`)

    const [client] = await Client.connect(b.ws)
    t.teardown(() => client.close())
    const [refused, authMs] = await timed(async () => await client.request({ type: 'ticket_authenticate', ticket: pending }))
    t.match(refused, { type: 'authentication_error', code: 'AUTH_ERROR' })
    t.ok(authMs < BOUND_MS, `GET /ws › AUTH_ERROR in ${authMs} ms`)

    for (const app of [a.app, b.app]) {
      const [health, healthMs] = await timed(async () => await app.inject({ method: 'GET', url: '/health' }))
      t.equal(health.statusCode, 503)
      t.match(health.json(), { status: 'unhealthy', checks: { store: 'down' } })
      t.ok(healthMs < BOUND_MS, `GET /health › 503 in ${healthMs} ms`)
    }
    const list = await a.app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: headersFor(a.app, 'olga') })
    t.equal(list.statusCode, 503)
    t.equal(list.json().code, 'DATABASE_ERROR')
  })

  await sleep(500) // a few LISTEN reconnects and cleanup runs fail meanwhile
  await cluster.start()

  await t.test('after the restart, without restarting the service', async t => {
    let healthy = false
    for (let i = 0; i < 150 && !healthy; i++) {
      const codes = await Promise.all([a.app, b.app].map(async app => (await app.inject({ method: 'GET', url: '/health' })).statusCode))
      healthy = codes.every(code => code === 200)
      if (!healthy) await sleep(100)
    }
    t.ok(healthy, 'GET /health › 200 on both instances again')

    const clients = await Promise.all(Array.from({ length: 10 }, async (_, i) => (await Client.connect(i % 2 === 0 ? a.ws : b.ws))[0]))
    t.teardown(() => { for (const c of clients) c.close() })
    const answers = await Promise.all(clients.map(async c => await c.request({ type: 'ticket_authenticate', ticket: pending })))
    t.equal(answers.filter(m => m.type === 'authentication_success').length, 1, 'the ticket refused during the outage was not consumed: redeemed once now')

    const [again] = await Client.connect(b.ws)
    t.teardown(() => again.close())
    t.match(await again.request({ type: 'ticket_authenticate', ticket: spent }), { code: 'TICKET_USED' }, 'no double spend of the ticket used before')

    const res = await a.app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${liveOk.sessionId as string}`, headers: headersFor(a.app, 'olga') })
    t.equal(res.statusCode, 200)
    t.match(await live.next(), { type: 'session_revoked' }, 'B listens again: a revocation through A reaches it')
    t.equal((await live.closed).code, 4007)
    t.equal((await issueTicket(b.app, 'olga')).length > 0, true, 'tickets are issued again')
    t.same(unhandled, [], 'no unhandled rejection')
  })
})
