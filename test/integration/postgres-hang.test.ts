import t from 'tap'
import { Client, authHeaders, authenticated, issueTicket, listen, tokenFor } from '../helper.js'
import { ownCluster } from '../support/postgres.js'

// A cluster of its own, even when DATABASE_URL is set: this test freezes its server.
const cluster = await ownCluster(t)

/** Connect 500 ms + statement 1000 ms per round trip, two round trips at most, plus slack for a loaded machine. */
const BOUND_MS = 5000

async function timed<T> (fn: () => Promise<T>): Promise<[T, number]> {
  const start = Date.now()
  return [await fn(), Date.now() - start]
}

t.test('PostgreSQL › a server that hangs (SIGSTOP) without closing any connection', { skip: typeof cluster === 'string' && cluster }, async t => {
  if (typeof cluster === 'string') return
  const env = { DATABASE_URL: cluster.url(), PG_CONNECT_TIMEOUT_MS: '500', PG_QUERY_TIMEOUT_MS: '1000' }
  const app = await listen(t, env)
  const [live] = await authenticated(app.app, app.ws, 'pia')
  t.teardown(() => live.close())
  const pending = await issueTicket(app.app, 'pia')
  const [client] = await Client.connect(app.ws)
  t.teardown(() => client.close())

  cluster.freeze('SIGSTOP')
  t.teardown(() => { cluster.freeze('SIGCONT') })
  const [issued, issueMs] = await timed(async () => await app.app.inject({
    method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(tokenFor(app.app, 'pia')), payload: { userId: 'pia' }
  }))
  t.equal(issued.json().code, 'DATABASE_ERROR')
  t.ok(issueMs < BOUND_MS, `POST /api/websocket/ticket › 503 DATABASE_ERROR in ${issueMs} ms`)
  const [refused, authMs] = await timed(async () => await client.request({ type: 'ticket_authenticate', ticket: `ws_ticket_${'0'.repeat(64)}` }))
  t.match(refused, { type: 'authentication_error', code: 'AUTH_ERROR' })
  t.ok(authMs < BOUND_MS, `GET /ws › AUTH_ERROR in ${authMs} ms`)
  const [health, healthMs] = await timed(async () => await app.app.inject({ method: 'GET', url: '/health' }))
  t.equal(health.statusCode, 503)
  t.ok(healthMs < BOUND_MS, `GET /health › 503 in ${healthMs} ms`)

  cluster.freeze('SIGCONT')
  let healthy = false
  for (let i = 0; i < 100 && !healthy; i++) {
    healthy = (await app.app.inject({ method: 'GET', url: '/health' })).statusCode === 200
    if (!healthy) await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.ok(healthy, 'GET /health › 200 again once the server answers')
  t.match(await client.request({ type: 'ticket_authenticate', ticket: pending }), { type: 'authentication_success' },
    'a ticket issued before the hang is redeemed after it')
})
