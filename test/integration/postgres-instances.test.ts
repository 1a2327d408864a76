import t from 'tap'
import { Client, authHeaders, authenticated, issueTicket, listen, tokenFor, type Message } from '../helper.js'
import { postgresForTests } from '../support/postgres.js'

const postgres = await postgresForTests()

/** Two instances of the service on one database, over real sockets. */
t.test('PostgreSQL › two instances on one database', { skip: postgres.skip }, async t => {
  const env = { DATABASE_URL: await postgres.database(), MAX_SESSIONS_PER_USER: '2' }
  const a = await listen(t, env)
  const b = await listen(t, env)

  t.test('GET /ws › a ticket issued on A is redeemed on B', async t => {
    const ticket = await issueTicket(a.app, 'jack', { entityId: 'brand-7', entityType: 'BRAND' })
    const [client] = await Client.connect(b.ws)
    t.teardown(() => client.close())
    const ok = await client.request({ type: 'ticket_authenticate', ticket })
    t.match(ok, { type: 'authentication_success', user: { userId: 'jack', entityId: 'brand-7', entityType: 'BRAND' } })
    const replay = await (await Client.connect(a.ws))[0].request({ type: 'ticket_authenticate', ticket })
    t.match(replay, { type: 'authentication_error', code: 'TICKET_USED' }, 'and is then used on A too')
  })

  t.test('GET /ws › 50 sockets split across A and B redeem one ticket: exactly one success, 10 rounds', async t => {
    for (let round = 0; round < 10; round++) {
      const ticket = await issueTicket(a.app, `race-${round}`)
      const clients = await Promise.all(Array.from({ length: 50 }, async (_, i) => (await Client.connect(i % 2 === 0 ? a.ws : b.ws))[0]))
      const answers: Message[] = await Promise.all(clients.map(async c => await c.request({ type: 'ticket_authenticate', ticket })))
      const codes = answers.map(m => m.type === 'authentication_success' ? 'ok' : m.code)
      t.equal(codes.filter(c => c === 'ok').length, 1, `round ${round}: one success`)
      t.equal(codes.filter(c => c === 'TICKET_USED').length, 49, `round ${round}: 49 TICKET_USED`)
      for (const c of clients) c.close()
      await Promise.all(clients.map(async c => await c.closed))
    }
  })

  t.test('DELETE /api/websocket/sessions/:sessionId › revoked through A, the socket on B gets session_revoked and 4007', async t => {
    const [client, ok] = await authenticated(b.app, b.ws, 'kate')
    const { 'content-type': _, ...headers } = authHeaders(tokenFor(a.app, 'kate'))
    const res = await a.app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${ok.sessionId as string}`, headers })
    t.equal(res.statusCode, 200)
    t.match(await client.next(), { type: 'session_revoked' })
    t.equal((await client.closed).code, 4007)
  })

  t.test('GET /api/websocket/sessions › on A lists the session connected to B', async t => {
    const [client, ok] = await authenticated(b.app, b.ws, 'liam')
    t.teardown(() => client.close())
    const res = await a.app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: authHeaders(tokenFor(a.app, 'liam')) })
    t.same(res.json().sessions.map((s: { sessionId: string }) => s.sessionId), [ok.sessionId])
  })

  t.test('GET /ws › 4014 SESSION_LIMIT holds across A and B', async t => {
    const [one] = await authenticated(a.app, a.ws, 'mia')
    const [two] = await authenticated(b.app, b.ws, 'mia')
    t.teardown(() => { one.close(); two.close() })
    const [third] = await Client.connect(a.ws)
    t.teardown(() => third.close())
    t.match(await third.request({ type: 'ticket_authenticate', ticket: await issueTicket(b.app, 'mia') }), {
      type: 'authentication_error', code: 'SESSION_LIMIT'
    })
  })

  t.test('POST /api/websocket/ticket › 429 RATE_LIMITED: 10 per minute across A and B together', async t => {
    for (let i = 0; i < 10; i++) await issueTicket(i % 2 === 0 ? a.app : b.app, 'noah')
    for (const app of [a.app, b.app]) {
      const res = await app.inject({
        method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(tokenFor(app, 'noah')), payload: { userId: 'noah' }
      })
      t.equal(res.statusCode, 429)
      t.equal(res.json().code, 'RATE_LIMITED')
      t.equal(res.headers['x-ratelimit-remaining'], '0')
      t.ok(Number(res.headers['retry-after']) > 0)
    }
  })
})
