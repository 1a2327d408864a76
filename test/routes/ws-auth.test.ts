import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { listen, issueTicket, Client, authenticated } from '../helper.js'
import { removalOf } from '../support/events.js'
import { SESSION_ID_PATTERN } from '../../src/protocol/http.js'
import { EXPIRED_TICKET_MEMORY_MS } from '../../src/stores/types.js'

const sessionRe = new RegExp(SESSION_ID_PATTERN)

t.test('GET /ws › connection_established, then authentication_success with the same sessionId and a stored session', async t => {
  const { app, ws } = await listen(t)
  const ticket = await issueTicket(app, 'alice', { entityId: 'brand-456', entityType: 'BRAND' })
  const [client, hello] = await Client.connect(ws)
  t.equal(hello.type, 'connection_established')
  t.match(hello.sessionId, sessionRe)
  t.ok(Date.parse(hello.timestamp))
  const ok = await client.request({ type: 'ticket_authenticate', ticket, id: 'auth-1', clientInfo: { userAgent: 'tap', timestamp: new Date().toISOString() } })
  t.match(ok, { type: 'authentication_success', id: 'auth-1', sessionId: hello.sessionId, user: { userId: 'alice', entityId: 'brand-456', entityType: 'BRAND' } })
  t.ok(Date.parse(ok.timestamp))
  t.match(await app.store.getSession(hello.sessionId), { sessionId: hello.sessionId, userId: 'alice', entityId: 'brand-456', entityType: 'BRAND', chatServerKey: 'UD21' })
  t.equal((await app.store.listSessions('alice')).length, 1)
  const removed = removalOf(app.liveSockets.events, hello.sessionId)
  client.close()
  await client.closed
  await removed
  t.equal(await app.store.getSession(hello.sessionId), undefined, 'removed when the connection closes')
  t.same(await app.store.listSessions('alice'), [])
})

t.test('GET /ws › a frame sent right behind the ticket waits for the authentication', async t => {
  const { app, ws } = await listen(t)
  const ticket = await issueTicket(app)
  const [client] = await Client.connect(ws)
  client.send({ type: 'ticket_authenticate', ticket })
  client.send({ type: 'chat_message', content: 'hi' })
  t.equal((await client.next()).type, 'authentication_success')
  t.match(await client.next(), { type: 'chat_response', content: 'Echo: hi' })
  client.close()
})

t.test('GET /ws › TICKET_USED on replay; the connection stays open', async t => {
  const { app, ws } = await listen(t)
  const [first] = await authenticated(app, ws)
  const ticket = await issueTicket(app)
  const [a] = await Client.connect(ws)
  t.equal((await a.request({ type: 'ticket_authenticate', ticket })).type, 'authentication_success')
  const [b] = await Client.connect(ws)
  const replay = await b.request({ type: 'ticket_authenticate', ticket, id: 'r' })
  t.match(replay, { type: 'authentication_error', code: 'TICKET_USED', id: 'r' })
  t.type(replay.error, 'string')
  t.equal(b.socket.readyState, b.socket.OPEN)
  for (const c of [first, a, b]) c.close()
})

t.test('GET /ws › 20 sockets present one ticket at once: exactly one succeeds', async t => {
  const { app, ws } = await listen(t)
  const ticket = await issueTicket(app)
  const clients = await Promise.all(Array.from({ length: 20 }, async () => (await Client.connect(ws))[0]))
  const answers = await Promise.all(clients.map(async c => await c.request({ type: 'ticket_authenticate', ticket })))
  t.equal(answers.filter(a => a.type === 'authentication_success').length, 1)
  t.equal(answers.filter(a => a.code === 'TICKET_USED').length, 19)
  t.equal((await app.store.listSessions('alice')).length, 1)
  for (const c of clients) c.close()
})

t.test('GET /ws › ticket failures: missing, malformed, unknown, expired, forgotten', async t => {
  const { app, ws } = await listen(t, { TICKET_TTL_SECONDS: '1' })
  const expired = await issueTicket(app)
  const forgotten = `ws_ticket_${randomBytes(32).toString('hex')}`
  await app.store.issueTicket(createHash('sha256').update(forgotten).digest('hex'), {
    userId: 'alice', chatServerKey: 'UD21', clientIp: '127.0.0.1', createdAt: 0, expiresAt: Date.now() - EXPIRED_TICKET_MEMORY_MS - 1000
  })
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['no ticket field', { type: 'ticket_authenticate' }, 'TICKET_MISSING'],
    ['a null ticket', { type: 'ticket_authenticate', ticket: null }, 'TICKET_MISSING'],
    ['a non-string ticket', { type: 'ticket_authenticate', ticket: 42 }, 'TICKET_INVALID'],
    ['a wrong prefix', { type: 'ticket_authenticate', ticket: `ticket_${'a'.repeat(64)}` }, 'TICKET_INVALID'],
    ['upper-case hex', { type: 'ticket_authenticate', ticket: `ws_ticket_${'A'.repeat(64)}` }, 'TICKET_INVALID'],
    ['an unknown ticket', { type: 'ticket_authenticate', ticket: `ws_ticket_${randomBytes(32).toString('hex')}` }, 'TICKET_INVALID'],
    ['remembered no longer', { type: 'ticket_authenticate', ticket: forgotten }, 'TICKET_INVALID'],
    ['a broken clientInfo', { type: 'ticket_authenticate', ticket: await issueTicket(app), clientInfo: 'x' }, 'INVALID_MESSAGE']
  ]
  for (const [name, message, code] of cases) {
    const [client] = await Client.connect(ws)
    const answer = await client.request(message)
    t.equal(answer.code, code, `${name}: ${code}`)
    t.equal(answer.type, code === 'INVALID_MESSAGE' ? 'error' : 'authentication_error')
    client.close()
  }
  await new Promise(resolve => setTimeout(resolve, 1100))
  const [client] = await Client.connect(ws)
  t.equal((await client.request({ type: 'ticket_authenticate', ticket: expired })).code, 'TICKET_EXPIRED')
  client.close()
})

t.test('GET /ws › the third failed attempt closes with that failure\'s code; AUTH_REQUIRED and INVALID_JSON do not count', async t => {
  const { ws } = await listen(t)
  const [client] = await Client.connect(ws)
  const unknown = () => ({ type: 'ticket_authenticate', ticket: `ws_ticket_${randomBytes(32).toString('hex')}` })
  t.equal((await client.request({ type: 'chat_message', content: 'x' })).code, 'AUTH_REQUIRED')
  t.equal((await client.request('not json')).code, 'INVALID_JSON')
  t.equal((await client.request(unknown())).code, 'TICKET_INVALID')
  t.equal((await client.request({ type: 'ticket_authenticate' })).code, 'TICKET_MISSING')
  t.equal((await client.request({ type: 'chat_message', content: 'x' })).code, 'AUTH_REQUIRED')
  t.equal((await client.request(unknown())).code, 'TICKET_INVALID')
  t.same(await client.closed, { code: 4003, reason: 'Invalid ticket' })
})

t.test('GET /ws › AUTH_REQUIRED for any other message before authentication', async t => {
  const { ws } = await listen(t)
  const [client] = await Client.connect(ws)
  for (const message of [{ type: 'chat_message', content: 'x', id: 'c1' }, { type: 'heartbeat_ping' }, { type: 'bogus' }, {}]) {
    const answer = await client.request(message)
    t.match(answer, { type: 'authentication_error', code: 'AUTH_REQUIRED' })
  }
  t.equal((await client.request({ type: 'chat_message', content: 'x', id: 'c1' })).id, 'c1')
  t.equal(client.socket.readyState, client.socket.OPEN)
  client.close()
})

t.test('GET /ws › AUTH_TIMEOUT closes 4006', async t => {
  const { ws } = await listen(t, { AUTH_TIMEOUT_MS: '200' })
  const [client] = await Client.connect(ws)
  t.match(await client.next(), { type: 'authentication_error', code: 'AUTH_TIMEOUT' })
  t.equal((await client.closed).code, 4006)
})

t.test('GET /ws › an authenticated connection outlives the auth timeout', async t => {
  const { app, ws } = await listen(t, { AUTH_TIMEOUT_MS: '200' })
  const [client] = await authenticated(app, ws)
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal((await client.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong')
  client.close()
})

t.test('GET /ws › ALREADY_AUTHENTICATED does not consume the second ticket', async t => {
  const { app, ws } = await listen(t)
  const [client] = await authenticated(app, ws)
  const spare = await issueTicket(app)
  t.match(await client.request({ type: 'ticket_authenticate', ticket: spare, id: 'again' }), { type: 'error', code: 'ALREADY_AUTHENTICATED', id: 'again' })
  t.equal(client.socket.readyState, client.socket.OPEN)
  const [other] = await Client.connect(ws)
  t.equal((await other.request({ type: 'ticket_authenticate', ticket: spare })).type, 'authentication_success', 'the spare ticket is still good')
  client.close()
  other.close()
})

t.test('GET /ws › SESSION_LIMIT when the user has MAX_SESSIONS_PER_USER live sessions', async t => {
  const { app, ws } = await listen(t, { MAX_SESSIONS_PER_USER: '1' })
  const [first, firstOk] = await authenticated(app, ws)
  const [second] = await Client.connect(ws)
  t.match(await second.request({ type: 'ticket_authenticate', ticket: await issueTicket(app) }), { type: 'authentication_error', code: 'SESSION_LIMIT' })
  const removed = removalOf(app.liveSockets.events, firstOk.sessionId)
  first.close()
  await first.closed
  await removed
  t.equal((await second.request({ type: 'ticket_authenticate', ticket: await issueTicket(app) })).type, 'authentication_success', 'a closed session frees its place')
  second.close()
})

t.test('GET /ws › IP_MISMATCH when the ticket is bound to another client address', async t => {
  const { app, ws } = await listen(t, { TICKET_BIND_IP: 'true', TRUST_PROXY: '1' })
  const res = await app.inject({
    method: 'POST',
    url: '/api/websocket/ticket',
    payload: { userId: 'alice' },
    headers: { authorization: `Bearer ${app.jwt.sign({ userId: 'alice' })}`, 'x-chat-server-key': 'UD21', 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' }
  })
  const [client] = await Client.connect(ws)
  t.match(await client.request({ type: 'ticket_authenticate', ticket: res.json().ticket }), { type: 'authentication_error', code: 'IP_MISMATCH' })
  const [same] = await Client.connect(ws, { headers: { 'x-forwarded-for': '203.0.113.7' } })
  t.equal((await same.request({ type: 'ticket_authenticate', ticket: await issueTicket(app) })).code, 'IP_MISMATCH', 'a ticket from 127.0.0.1 fails from 203.0.113.7')
  client.close()
  same.close()
})

t.test('GET /ws › without TICKET_BIND_IP a ticket is redeemable from another address', async t => {
  const { app, ws } = await listen(t, { TRUST_PROXY: '1' })
  const [client] = await Client.connect(ws, { headers: { 'x-forwarded-for': '203.0.113.9' } })
  t.equal((await client.request({ type: 'ticket_authenticate', ticket: await issueTicket(app) })).type, 'authentication_success')
  client.close()
})
