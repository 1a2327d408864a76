import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createPromMetrics } from '../../src/metrics.js'
import { createMemoryStore } from '../../src/stores/memory.js'
import { build, listen, authHeaders, tokenFor, issueTicket, Client, TEST_ENV, type App } from '../helper.js'

/** The value of one sample of a scrape, matched by name and a subset of its labels (0 when absent). */
function sample (text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match === null || match[1] !== name) continue
    const has = Object.entries(labels).every(([k, v]) => (match[2] ?? '').includes(`${k}="${v}"`))
    if (has) return Number(match[3])
  }
  return 0
}

async function scrape (app: App, headers: Record<string, string> = {}): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain/)
  return res.body
}

t.test('GET /metrics › 404 NOT_FOUND unless ENABLE_METRICS', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 404)
  t.match(res.json(), { code: 'NOT_FOUND' })
})

t.test('GET /metrics › counters and gauges move with a full flow', async t => {
  const { app, ws } = await listen(t, {
    ENABLE_METRICS: 'true', TICKET_RATE_LIMIT: '2', MESSAGE_RATE_LIMIT: '3', MAX_CONNECTIONS_PER_IP: '2', LEGACY_TOKEN_AUTH: 'true'
  })
  const before = await scrape(app)
  t.equal(sample(before, 'wsticket_tickets_issued_total'), 0)
  t.ok(sample(before, 'process_cpu_user_seconds_total') > 0, 'Node default metrics')

  const ticket = await issueTicket(app, 'alice')
  await issueTicket(app, 'alice')
  const limited = await app.inject({ method: 'POST', url: '/api/websocket/ticket', headers: authHeaders(tokenFor(app, 'alice')), payload: { userId: 'alice' } })
  t.equal(limited.statusCode, 429)
  await app.inject({ method: 'POST', url: '/api/websocket/ticket', payload: { userId: 'alice' } })

  const [a] = await Client.connect(ws)
  t.teardown(() => a.close())
  t.match(await a.request({ type: 'ticket_authenticate', ticket: 'ws_ticket_' + '0'.repeat(64) }), { code: 'TICKET_INVALID' })
  t.match(await a.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_success' })
  t.match(await a.request({ type: 'chat_message', content: 'hi' }), { type: 'chat_response' })
  t.match(await a.request({ type: 'chat_message', content: 'again' }), { code: 'MESSAGE_RATE_LIMITED' })

  const [b] = await Client.connect(ws)
  t.teardown(() => b.close())
  t.match(await b.request({ type: 'authenticate', token: tokenFor(app, 'bob') }), { type: 'authentication_success' })
  t.match(await b.request({ type: 'no_such_type' }), { code: 'UNKNOWN_MESSAGE_TYPE' })
  await t.rejects(Client.connect(ws), /HTTP 429/, 'third socket from one address')

  const text = await scrape(app)
  t.equal(sample(text, 'wsticket_tickets_issued_total'), 2)
  t.equal(sample(text, 'wsticket_tickets_refused_total', { code: 'RATE_LIMITED' }), 1)
  t.equal(sample(text, 'wsticket_tickets_refused_total', { code: 'AUTH_MISSING' }), 1)
  t.equal(sample(text, 'wsticket_ws_authentications_total', { method: 'ticket', result: 'success', code: 'OK' }), 1)
  t.equal(sample(text, 'wsticket_ws_authentications_total', { method: 'ticket', result: 'failure', code: 'TICKET_INVALID' }), 1)
  t.equal(sample(text, 'wsticket_ws_authentications_total', { method: 'legacy', result: 'success', code: 'OK' }), 1)
  t.equal(sample(text, 'wsticket_legacy_auth_total', { result: 'success' }), 1)
  t.equal(sample(text, 'wsticket_ws_authentication_duration_seconds_count', { method: 'ticket', result: 'success' }), 1)
  t.equal(sample(text, 'wsticket_ws_authentication_duration_seconds_count', { method: 'ticket', result: 'failure' }), 1)
  t.equal(sample(text, 'wsticket_ws_messages_total', { type: 'ticket_authenticate' }), 2)
  t.equal(sample(text, 'wsticket_ws_messages_total', { type: 'chat_message' }), 1, 'the rate-limited frame is not read')
  t.equal(sample(text, 'wsticket_ws_messages_total', { type: 'other' }), 1)
  t.equal(sample(text, 'wsticket_ws_errors_total', { code: 'UNKNOWN_MESSAGE_TYPE' }), 1)
  t.equal(sample(text, 'wsticket_rate_limit_hits_total', { limit: 'ticket' }), 1)
  t.equal(sample(text, 'wsticket_rate_limit_hits_total', { limit: 'message' }), 1)
  t.equal(sample(text, 'wsticket_rate_limit_hits_total', { limit: 'connection' }), 1)
  t.equal(sample(text, 'wsticket_ws_connections'), 2)
  t.equal(sample(text, 'wsticket_ws_sessions'), 2)
  t.ok(sample(text, 'wsticket_store_operation_duration_seconds_count', { operation: 'consumeTicket', backend: 'memory' }) >= 2)
  t.ok(sample(text, 'wsticket_store_operation_duration_seconds_count', { operation: 'issueTicket', backend: 'memory' }) >= 2)
})

t.test('GET /metrics › METRICS_TOKEN guards the scrape', async t => {
  const app = await build(t, { ENABLE_METRICS: 'true', METRICS_TOKEN: 'scrape-secret' })
  const missing = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(missing.statusCode, 401)
  t.match(missing.json(), { code: 'AUTH_MISSING' })
  const wrong = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } })
  t.equal(wrong.statusCode, 401)
  t.match(wrong.json(), { code: 'AUTH_INVALID' })
  t.match(await scrape(app, { authorization: 'Bearer scrape-secret' }), /wsticket_tickets_issued_total/)
})

t.test('GET /metrics › a failure without the envelope is counted as UNKNOWN', async t => {
  const app = await buildApp({ config: loadConfig({ ...TEST_ENV, ENABLE_METRICS: 'true' }) })
  t.teardown(() => app.close())
  app.get('/teapot', async (_request, reply) => reply.code(418).type('text/plain').send('short and stout'))
  await app.inject({ method: 'GET', url: '/teapot' })
  t.equal(sample(await scrape(app), 'wsticket_rate_limit_hits_total'), 0)
})

t.test('metrics › the store wrapper times every operation and counts failures, per backend', async t => {
  const { registry, metrics } = createPromMetrics({ connections: () => 0, sessions: () => 0 })
  const raw = createMemoryStore()
  const store = metrics.instrumentStore(raw)
  t.equal(store.backend, 'memory')
  t.equal(store.ping, store.ping, 'wrapped once')
  t.equal(store.close, raw.close, 'close and subscribe are not timed')
  await store.ping()
  await store.close()
  await t.rejects(store.ping())
  const text = await registry.metrics()
  t.equal(sample(text, 'wsticket_store_operation_duration_seconds_count', { operation: 'ping', backend: 'memory' }), 2)
  t.equal(sample(text, 'wsticket_store_errors_total', { operation: 'ping', backend: 'memory' }), 1)
})
