import t from 'tap'
import { createHash } from 'node:crypto'
import { createSigner } from 'fast-jwt'
import { build, authHeaders, tokenFor } from '../helper.js'
import { TICKET_PATTERN } from '../../src/protocol/http.js'
import { DEV_JWT_SECRET } from '../../src/config.js'

const url = '/api/websocket/ticket'
const sign = (payload: Record<string, unknown>, opts: Record<string, unknown> = {}) =>
  createSigner({ key: DEV_JWT_SECRET, algorithm: 'HS256', ...opts })(payload)

t.test('POST /api/websocket/ticket › 200 issues ws_ticket_<64 hex> with expiresAt = now + TTL', async t => {
  const app = await build(t, { TICKET_TTL_SECONDS: '120' })
  const before = Date.now()
  const res = await app.inject({
    method: 'POST',
    url,
    headers: authHeaders(tokenFor(app, 'alice')),
    payload: { userId: 'alice', entityId: 'brand-456', entityType: 'BRAND', providerResId: '', clientInfo: { userAgent: 'tap', timestamp: '2024-01-15T10:30:00.000Z' } }
  })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.success, true)
  t.match(body.ticket, new RegExp(TICKET_PATTERN))
  const expires = Date.parse(body.expiresAt)
  t.ok(expires >= before + 120_000 && expires <= Date.now() + 120_000, 'expiresAt is issue time + TTL')
  t.match(body.expiresAt, /Z$/, 'expiresAt is UTC')
  t.equal(res.headers['x-ratelimit-limit'], '10')
  t.equal(res.headers['x-ratelimit-remaining'], '9')
})

t.test('POST /api/websocket/ticket › the store holds the digest and the listed fields, never the ticket or token', async t => {
  const app = await build(t)
  const token = tokenFor(app, 'alice')
  const res = await app.inject({ method: 'POST', url, headers: authHeaders(token), payload: { userId: 'alice', entityId: 'e1', entityType: 'BRAND' } })
  const { ticket } = res.json()
  const digest = createHash('sha256').update(ticket).digest('hex')
  const result = await app.store.consumeTicket(digest)
  t.equal(result.status, 'ok')
  t.match(result, { ticket: { userId: 'alice', entityId: 'e1', entityType: 'BRAND', chatServerKey: 'UD21', clientIp: '127.0.0.1' } })
  const stored = JSON.stringify(result)
  t.notOk(stored.includes(ticket), 'no raw ticket stored')
  t.notOk(stored.includes(token), 'no bearer token stored')
})

t.test('POST /api/websocket/ticket › TICKET_EXPIRY_HOURS is accepted, TICKET_TTL_SECONDS wins', async t => {
  const hours = await build(t, { TICKET_EXPIRY_HOURS: '1' })
  const a = (await hours.inject({ method: 'POST', url, headers: authHeaders(tokenFor(hours, 'u')), payload: { userId: 'u' } })).json()
  t.ok(Math.abs(Date.parse(a.expiresAt) - Date.now() - 3600_000) < 5000)
  const both = await build(t, { TICKET_EXPIRY_HOURS: '1', TICKET_TTL_SECONDS: '60' })
  const b = (await both.inject({ method: 'POST', url, headers: authHeaders(tokenFor(both, 'u')), payload: { userId: 'u' } })).json()
  t.ok(Math.abs(Date.parse(b.expiresAt) - Date.now() - 60_000) < 5000)
})

t.test('POST /api/websocket/ticket › credential failures', async t => {
  const app = await build(t)
  const good = tokenFor(app, 'alice')
  const cases: Array<[string, Record<string, string>, string]> = [
    ['no Authorization header', { 'x-chat-server-key': 'UD21' }, 'AUTH_MISSING'],
    ['not a Bearer scheme', { authorization: `Basic ${good}`, 'x-chat-server-key': 'UD21' }, 'AUTH_MISSING'],
    ['Bearer without a token', { authorization: 'Bearer ', 'x-chat-server-key': 'UD21' }, 'AUTH_MISSING'],
    ['a malformed JWT', { authorization: 'Bearer not.a.jwt', 'x-chat-server-key': 'UD21' }, 'AUTH_INVALID'],
    ['a bad signature', { authorization: `Bearer ${good.slice(0, -4)}AAAA`, 'x-chat-server-key': 'UD21' }, 'AUTH_INVALID'],
    ['an expired JWT', { authorization: `Bearer ${sign({ userId: 'alice', exp: Math.floor(Date.now() / 1000) - 10 })}`, 'x-chat-server-key': 'UD21' }, 'AUTH_INVALID'],
    ['alg none', { authorization: `Bearer ${sign({ userId: 'alice' }, { algorithm: 'none', key: undefined })}`, 'x-chat-server-key': 'UD21' }, 'AUTH_INVALID'],
    ['alg HS512', { authorization: `Bearer ${sign({ userId: 'alice' }, { algorithm: 'HS512' })}`, 'x-chat-server-key': 'UD21' }, 'AUTH_INVALID'],
    ['no user id claim', { authorization: `Bearer ${sign({ name: 'x' })}`, 'x-chat-server-key': 'UD21' }, 'AUTH_INVALID'],
    ['a non-string user id', { authorization: `Bearer ${sign({ userId: 42 })}`, 'x-chat-server-key': 'UD21' }, 'AUTH_INVALID'],
    ['no X-Chat-Server-Key', { authorization: `Bearer ${good}` }, 'SERVER_KEY_MISSING'],
    ['an unknown server key', { authorization: `Bearer ${good}`, 'x-chat-server-key': 'nope' }, 'SERVER_KEY_INVALID']
  ]
  for (const [name, headers, code] of cases) {
    const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: { userId: 'alice' } })
    t.equal(res.statusCode, 401, `${name}: 401`)
    t.same(res.json(), { success: false, error: res.json().error, code }, `${name}: ${code}`)
    t.type(res.json().error, 'string')
  }
})

t.test('POST /api/websocket/ticket › 401 AUTH_INVALID for a JWT signed with another secret', async t => {
  const app = await build(t, { JWT_SECRET: 'another-secret' })
  const res = await app.inject({ method: 'POST', url, headers: authHeaders(sign({ userId: 'alice' })), payload: { userId: 'alice' } })
  t.equal(res.json().code, 'AUTH_INVALID')
})

t.test('POST /api/websocket/ticket › the user id comes from `sub` when there is no `userId` claim', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url, headers: authHeaders(sign({ sub: 'bob' })), payload: { userId: 'bob' } })
  t.equal(res.statusCode, 200)
  const mismatch = await app.inject({ method: 'POST', url, headers: authHeaders(sign({ sub: 'bob', userId: 'carol' })), payload: { userId: 'bob' } })
  t.equal(mismatch.json().code, 'USER_MISMATCH', 'userId wins over sub')
})

t.test('POST /api/websocket/ticket › body failures', async t => {
  const app = await build(t, { TICKET_RATE_LIMIT: '1000' })
  const headers = authHeaders(tokenFor(app, 'alice'))
  const send = (payload: string, extra: Record<string, string> = {}) => app.inject({ method: 'POST', url, headers: { ...headers, ...extra }, payload })
  const expect = async (p: Promise<{ statusCode: number, json: () => any }>, status: number, code: string, name: string) => {
    const res = await p
    t.equal(res.statusCode, status, `${name}: ${status}`)
    t.equal(res.json().code, code, `${name}: ${code}`)
    t.equal(res.json().success, false)
    return res.json()
  }
  await expect(send('{"userId":"alice"}', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE', 'text/plain')
  await expect(app.inject({ method: 'POST', url, headers: { authorization: headers.authorization, 'x-chat-server-key': 'UD21' } }), 415, 'UNSUPPORTED_MEDIA_TYPE', 'no body, no type')
  await expect(send('x'.repeat(17 * 1024)), 413, 'PAYLOAD_TOO_LARGE', '17 KiB body')
  await expect(send('{"userId":'), 400, 'INVALID_JSON', 'truncated JSON')
  await expect(send(''), 400, 'INVALID_JSON', 'empty JSON body')
  const missing = await expect(send('{}'), 400, 'VALIDATION_ERROR', 'no userId')
  t.match(missing.error, /userId/, 'the error names the field')
  const long = await expect(send(JSON.stringify({ userId: 'alice', entityType: 'x'.repeat(51) })), 400, 'VALIDATION_ERROR', 'entityType > 50')
  t.match(long.error, /entityType/)
  await expect(send(JSON.stringify({ userId: '' })), 400, 'VALIDATION_ERROR', 'empty userId')
  await expect(send(JSON.stringify({ userId: 'a'.repeat(256) })), 400, 'VALIDATION_ERROR', 'userId > 255')
  await expect(send(JSON.stringify({ userId: 42 })), 400, 'VALIDATION_ERROR', 'numeric userId')
  await expect(send(JSON.stringify({ userId: 'alice', entityId: 'e'.repeat(256) })), 400, 'VALIDATION_ERROR', 'entityId > 255')
  await expect(send(JSON.stringify({ userId: 'alice', providerResId: 'p'.repeat(256) })), 400, 'VALIDATION_ERROR', 'providerResId > 255')
  await expect(send(JSON.stringify({ userId: 'alice', clientInfo: { userAgent: 'u'.repeat(1025) } })), 400, 'VALIDATION_ERROR', 'userAgent > 1024')
  await expect(send(JSON.stringify({ userId: 'alice', clientInfo: { timestamp: 'yesterday' } })), 400, 'VALIDATION_ERROR', 'timestamp not ISO 8601')
  await expect(send(JSON.stringify({ userId: 'mallory' })), 403, 'USER_MISMATCH', 'another user')
  await expect(send('[]'), 400, 'VALIDATION_ERROR', 'array body')
})

t.test('POST /api/websocket/ticket › 413 follows BODY_LIMIT_BYTES', async t => {
  const app = await build(t, { BODY_LIMIT_BYTES: '64' })
  const res = await app.inject({ method: 'POST', url, headers: authHeaders(tokenFor(app, 'alice')), payload: { userId: 'alice', entityId: 'x'.repeat(100) } })
  t.equal(res.statusCode, 413)
  t.equal(res.json().code, 'PAYLOAD_TOO_LARGE')
})

t.test('POST /api/websocket/ticket › 429 RATE_LIMITED per user with Retry-After and X-RateLimit-*', async t => {
  const app = await build(t, { TICKET_RATE_LIMIT: '3', RATE_WINDOW_MINUTES: '1' })
  const issue = (user: string, headers = authHeaders(tokenFor(app, user))) =>
    app.inject({ method: 'POST', url, headers, payload: { userId: user } })
  for (let i = 0; i < 3; i++) {
    const ok = await issue('alice')
    t.equal(ok.statusCode, 200)
    t.equal(ok.headers['x-ratelimit-remaining'], String(2 - i))
  }
  const limited = await issue('alice')
  t.equal(limited.statusCode, 429)
  t.same(limited.json(), { success: false, error: limited.json().error, code: 'RATE_LIMITED' })
  t.match(limited.headers['retry-after'], /^\d+$/)
  t.ok(Number(limited.headers['retry-after']) > 0 && Number(limited.headers['retry-after']) <= 60)
  t.equal(limited.headers['x-ratelimit-limit'], '3')
  t.equal(limited.headers['x-ratelimit-remaining'], '0')
  t.match(limited.headers['x-ratelimit-reset'], /^\d+$/)
  t.equal((await issue('bob')).statusCode, 200, 'another user has their own budget')
  const badKey = await issue('alice', authHeaders(tokenFor(app, 'alice'), 'nope'))
  t.equal(badKey.json().code, 'SERVER_KEY_INVALID', 'credentials are checked before the limit')
  const invalid = await app.inject({ method: 'POST', url, headers: authHeaders(tokenFor(app, 'alice')), payload: 'nope' })
  t.equal(invalid.json().code, 'RATE_LIMITED', 'the limit is checked before the body')
})

t.test('POST /api/websocket/ticket › refused credentials do not count against the claimed user', async t => {
  const app = await build(t, { TICKET_RATE_LIMIT: '2' })
  for (let i = 0; i < 5; i++) {
    await app.inject({ method: 'POST', url, headers: authHeaders(tokenFor(app, 'alice'), 'bad-key'), payload: { userId: 'alice' } })
    await app.inject({ method: 'POST', url, headers: { ...authHeaders('garbage') }, payload: { userId: 'alice' } })
  }
  const res = await app.inject({ method: 'POST', url, headers: authHeaders(tokenFor(app, 'alice')), payload: { userId: 'alice' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-ratelimit-remaining'], '1')
})

t.test('POST /api/websocket/ticket › 503 DATABASE_ERROR when the store is unreachable', async t => {
  const app = await build(t)
  await app.store.close()
  const res = await app.inject({ method: 'POST', url, headers: authHeaders(tokenFor(app, 'alice')), payload: { userId: 'alice' } })
  t.equal(res.statusCode, 503)
  t.same(res.json(), { success: false, error: res.json().error, code: 'DATABASE_ERROR' })
})

t.test('POST /api/websocket/ticket › 500 TICKET_GENERATION_ERROR on any other failure, without details', async t => {
  const { createMemoryStore } = await import('../../src/stores/memory.js')
  const store = createMemoryStore()
  // A real store whose write fails with a non-availability error (a bug, a serialisation failure…).
  const failing = { ...store, issueTicket: async () => { throw new TypeError('secret internal detail') } }
  const app = await build(t, {}, { store: failing })
  t.teardown(() => store.close())
  const res = await app.inject({ method: 'POST', url, headers: authHeaders(tokenFor(app, 'alice')), payload: { userId: 'alice' } })
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'TICKET_GENERATION_ERROR')
  t.notMatch(res.body, /secret internal detail|TypeError|at /)
})

t.test('unknown routes › 404 NOT_FOUND in the envelope', async t => {
  const app = await build(t)
  for (const [method, path] of [['GET', '/nope'], ['POST', '/api/websocket/tickets'], ['PUT', '/api/websocket/ticket']] as const) {
    const res = await app.inject({ method, url: path })
    t.equal(res.statusCode, 404)
    t.same(res.json(), { success: false, error: res.json().error, code: 'NOT_FOUND' })
  }
})

t.test('CORS and Helmet › allowed origins get CORS headers, others do not; security headers everywhere', async t => {
  const app = await build(t, { ALLOWED_ORIGINS: 'https://chat.example.com' })
  const pre = await app.inject({
    method: 'OPTIONS', url, headers: { origin: 'https://chat.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,x-chat-server-key,content-type' }
  })
  t.equal(pre.statusCode, 204)
  t.equal(pre.headers['access-control-allow-origin'], 'https://chat.example.com')
  t.match(String(pre.headers['access-control-allow-headers']).toLowerCase(), /x-chat-server-key/)
  const foreign = await app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } })
  t.equal(foreign.headers['access-control-allow-origin'], undefined)
  t.equal(foreign.headers['x-content-type-options'], 'nosniff')
  t.ok(foreign.headers['strict-transport-security'])
  t.ok(foreign.headers['content-security-policy'])
})

t.test('hostile header values › a repeated server key header is refused, not a crash', async t => {
  const app = await build(t)
  const res = await app.inject({
    method: 'POST',
    url,
    payload: { userId: 'alice' },
    headers: { authorization: `Bearer ${tokenFor(app, 'alice')}`, 'content-type': 'application/json', 'x-chat-server-key': ['UD21', 'Host'] }
  })
  t.equal(res.statusCode, 401)
})

t.test('malformed requests › a Fastify 4xx without a protocol code answers BAD_REQUEST in the envelope', async t => {
  const app = await build(t)
  const res = await app.inject({ method: 'GET', url: '/health/%zz' })
  t.equal(res.statusCode, 400)
  t.match(res.json(), { success: false, code: 'BAD_REQUEST' })
  const mismatch = await app.inject({ method: 'POST', url, headers: { ...authHeaders(tokenFor(app, 'alice')), 'content-length': '3' }, payload: '{"userId":"alice"}' })
  t.equal(mismatch.statusCode, 400)
  t.match(mismatch.json(), { success: false, code: 'BAD_REQUEST' })
})
