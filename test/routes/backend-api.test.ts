import t, { type Test } from 'tap'
import { authenticated, listen, type Client } from '../helper.js'
import type { StoreEvent } from '../../src/stores/types.js'

const KEY = 'backend-test-key'
const ENV = { BACKEND_API_KEYS: KEY, MAX_MESSAGE_BYTES: '1024' }
const backend = { authorization: `Bearer ${KEY}` }
type Instance = Awaited<ReturnType<typeof listen>>

/** A backend request, the way a backend sends it (JSON body when there is one). */
async function call ({ app }: Instance, method: 'GET' | 'DELETE' | 'POST', url: string, payload?: unknown) {
  return await app.inject({ method, url, headers: backend, ...(payload === undefined ? {} : { payload: payload as object }) })
}

async function nothingFor (t: Test, client: Client): Promise<void> {
  await t.rejects(client.next(200), /no message/, 'nothing for this socket')
}

t.test('GET /api/websocket/users/:userId/sessions › every live session of that user, nobody else\'s', async t => {
  const server = await listen(t, ENV)
  const [a1, ok1] = await authenticated(server.app, server.ws, 'alice')
  const [a2, ok2] = await authenticated(server.app, server.ws, 'alice')
  const [b1] = await authenticated(server.app, server.ws, 'bob')
  const res = await call(server, 'GET', '/api/websocket/users/alice/sessions')
  t.equal(res.statusCode, 200)
  t.same(res.json().sessions.map((s: { sessionId: string }) => s.sessionId).sort(), [ok1.sessionId, ok2.sessionId].sort())
  t.match(res.json().sessions[0], { userId: 'alice', chatServerKey: 'UD21', authenticatedAt: String })
  t.same((await call(server, 'GET', '/api/websocket/users/nobody/sessions')).json(), { success: true, sessions: [] })
  const longest = encodeURIComponent('ü'.repeat(255))
  t.same((await call(server, 'GET', `/api/websocket/users/${longest}/sessions`)).json(), { success: true, sessions: [] }, 'a 255-character id')
  t.equal((await call(server, 'GET', `/api/websocket/users/${'u'.repeat(256)}/sessions`)).json().code, 'VALIDATION_ERROR')
  for (const c of [a1, a2, b1]) c.close()
})

t.test('DELETE /api/websocket/users/:userId/sessions › revokes them all with the reconnect asked for; another user stays', async t => {
  const server = await listen(t, ENV)
  const published: StoreEvent[] = []
  server.app.store.subscribe(event => { published.push(event) })
  for (const [body, reconnect] of [[{ reconnect: true }, true], [undefined, false], [{}, false], [{ reconnect: false }, false]] as const) {
    const sockets = [await authenticated(server.app, server.ws, 'alice'), await authenticated(server.app, server.ws, 'alice')]
    const [bob] = await authenticated(server.app, server.ws, 'bob')
    published.length = 0
    const res = await call(server, 'DELETE', '/api/websocket/users/alice/sessions', body)
    t.same(res.json(), { success: true, revoked: 2 }, `body ${JSON.stringify(body)}`)
    for (const [client] of sockets) {
      t.match(await client.next(), { type: 'session_revoked', reconnect })
      t.equal((await client.closed).code, 4007)
    }
    const expected = sockets.map(([, ok]) => ({ kind: 'revoke', sessionId: ok.sessionId, reconnect }))
    t.same(published.filter(e => e.kind === 'revoke').sort((x, y) => x.sessionId.localeCompare(y.sessionId)),
      expected.sort((x, y) => x.sessionId.localeCompare(y.sessionId)), `revoke events carry reconnect: ${String(reconnect)}`)
    t.same(await server.app.store.listSessions('alice'), [])
    t.equal((await bob.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong', 'bob is still connected')
    bob.close()
  }
  t.same((await call(server, 'DELETE', '/api/websocket/users/alice/sessions')).json(), { success: true, revoked: 0 }, 'none left')
})

t.test('DELETE /api/websocket/users/:userId/sessions › 400 and 415 for bodies that break the shape', async t => {
  const server = await listen(t, ENV)
  const send = async (payload: string, type = 'application/json') => (await server.app.inject({
    method: 'DELETE', url: '/api/websocket/users/alice/sessions', headers: { ...backend, 'content-type': type }, payload
  })).json().code
  t.equal(await send(''), undefined, 'an empty JSON body is no body')
  t.equal(await send('{"reconnect":"yes"}'), 'VALIDATION_ERROR')
  t.equal(await send('[true]'), 'VALIDATION_ERROR')
  t.equal(await send('{"reconnect":'), 'INVALID_JSON')
  t.equal(await send('{"__proto__":{"x":1}}'), 'INVALID_JSON', 'prototype poisoning is refused as by every JSON route')
  t.equal(await send('reconnect=true', 'application/x-www-form-urlencoded'), 'UNSUPPORTED_MEDIA_TYPE')
})

t.test('POST /api/websocket/users/:userId/messages › 202; every socket of the user gets the message unchanged, timestamp added when absent', async t => {
  const server = await listen(t, ENV)
  const [a1] = await authenticated(server.app, server.ws, 'alice')
  const [a2] = await authenticated(server.app, server.ws, 'alice')
  const [bob] = await authenticated(server.app, server.ws, 'bob')
  const message = { type: 'order_shipped', order: { id: 7, items: ['a', null] }, unicode: 'é ✓' }
  const res = await call(server, 'POST', '/api/websocket/users/alice/messages', { message })
  t.equal(res.statusCode, 202)
  t.same(res.json(), { success: true })
  for (const client of [a1, a2]) {
    const frame = await client.next()
    t.same({ ...frame, timestamp: undefined }, { ...message, timestamp: undefined })
    t.ok(Date.parse(frame.timestamp), 'timestamp added')
  }
  // A type the service knows is not reshaped by its schema; a given timestamp is kept as it is.
  const known = { type: 'chat_response', content: 'hi', extra: true, timestamp: 'not-a-date' }
  await call(server, 'POST', '/api/websocket/users/alice/messages', { message: known })
  for (const client of [a1, a2]) t.same(await client.next(), known)
  await nothingFor(t, bob)
  t.equal((await call(server, 'POST', '/api/websocket/users/nobody/messages', { message })).statusCode, 202, 'offline users too: at most once')
  for (const c of [a1, a2, bob]) c.close()
})

t.test('POST /api/websocket/users/:userId/messages › 400 VALIDATION_ERROR, 413 PAYLOAD_TOO_LARGE past MAX_MESSAGE_BYTES', async t => {
  const server = await listen(t, ENV)
  const [alice] = await authenticated(server.app, server.ws, 'alice')
  const url = '/api/websocket/users/alice/messages'
  for (const body of [undefined, {}, { message: 'text' }, { message: {} }, { message: { type: 3 } }, { message: { type: '' } }, { message: [] }]) {
    const res = await call(server, 'POST', url, body)
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.equal(res.json().code, 'VALIDATION_ERROR')
  }
  const padding = (bytes: number) => ({ type: 'big', data: 'x'.repeat(bytes - JSON.stringify({ type: 'big', data: '' }).length) })
  t.equal((await call(server, 'POST', url, { message: padding(1024) })).statusCode, 202, 'exactly MAX_MESSAGE_BYTES')
  t.equal(JSON.stringify({ ...await alice.next(), timestamp: undefined }).length, 1024)
  const over = await call(server, 'POST', url, { message: padding(1025) })
  t.equal(over.statusCode, 413)
  t.same(over.json(), { success: false, error: 'message is 1025 bytes; MAX_MESSAGE_BYTES is 1024', code: 'PAYLOAD_TOO_LARGE' })
  const huge = await call(server, 'POST', url, { message: padding(4096) })
  t.equal(huge.json().code, 'PAYLOAD_TOO_LARGE', 'a body past the read limit too')
  await nothingFor(t, alice)
  alice.close()
})

t.test('POST /api/websocket/sessions/:sessionId/messages › 202 to that session only; 404 SESSION_NOT_FOUND when not live', async t => {
  const server = await listen(t, ENV)
  const [one, ok] = await authenticated(server.app, server.ws, 'alice')
  const [other] = await authenticated(server.app, server.ws, 'alice')
  const res = await call(server, 'POST', `/api/websocket/sessions/${ok.sessionId as string}/messages`, { message: { type: 'just_you' } })
  t.equal(res.statusCode, 202)
  t.match(await one.next(), { type: 'just_you', timestamp: String })
  await nothingFor(t, other)
  const removed = new Promise(resolve => server.app.liveSockets.events.once('removal', resolve))
  one.close()
  await removed
  const gone = await call(server, 'POST', `/api/websocket/sessions/${ok.sessionId as string}/messages`, { message: { type: 'late' } })
  t.equal(gone.statusCode, 404)
  t.equal(gone.json().code, 'SESSION_NOT_FOUND')
  t.equal((await call(server, 'POST', `/api/websocket/sessions/${'s'.repeat(65)}/messages`, { message: { type: 'x' } })).json().code, 'VALIDATION_ERROR')
  t.equal((await call(server, 'POST', `/api/websocket/sessions/${ok.sessionId as string}/messages`, { message: 1 })).json().code, 'VALIDATION_ERROR')
  other.close()
})

t.test('GET /api/websocket/presence › live sessions per user, 0 when offline; 1 to 100 ids', async t => {
  const server = await listen(t, ENV)
  const clients = [await authenticated(server.app, server.ws, 'alice'), await authenticated(server.app, server.ws, 'alice'), await authenticated(server.app, server.ws, 'bob')]
  const res = await call(server, 'GET', '/api/websocket/presence?userId=alice&userId=bob&userId=carol&userId=alice')
  t.same(res.json(), { success: true, online: { alice: 2, bob: 1, carol: 0 } })
  t.same((await call(server, 'GET', '/api/websocket/presence?userId=bob')).json().online, { bob: 1 }, 'one id')
  t.same((await call(server, 'GET', '/api/websocket/presence?userId=__proto__')).json().online, { ['__proto__' as string]: 0 })
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `userId=u${i}`).join('&')
  t.equal(Object.keys((await call(server, 'GET', `/api/websocket/presence?${ids(100)}`)).json().online).length, 100)
  for (const query of ['', '?user=alice', `?${ids(101)}`, '?userId=', `?userId=${'u'.repeat(256)}`]) {
    const bad = await call(server, 'GET', `/api/websocket/presence${query}`)
    t.equal(bad.statusCode, 400, query.slice(0, 40))
    t.equal(bad.json().code, 'VALIDATION_ERROR')
  }
  for (const [client] of clients) client.close()
})

t.test('backend API › 503 DATABASE_ERROR when the store is unreachable', async t => {
  const server = await listen(t, ENV)
  await server.app.store.close()
  const session = 'session_00000000000000000000000000000000'
  for (const [method, url, body] of [
    ['GET', '/api/websocket/users/alice/sessions'], ['DELETE', '/api/websocket/users/alice/sessions'],
    ['POST', '/api/websocket/users/alice/messages', { message: { type: 'x' } }],
    ['POST', `/api/websocket/sessions/${session}/messages`, { message: { type: 'x' } }],
    ['GET', '/api/websocket/presence?userId=alice']
  ] as const) {
    const res = await call(server, method, url, body)
    t.equal(res.statusCode, 503, `${method} ${url}`)
    t.equal(res.json().code, 'DATABASE_ERROR')
  }
})
