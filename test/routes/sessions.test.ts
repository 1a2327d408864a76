import t from 'tap'
import { listen, authenticated, authHeaders, tokenFor } from '../helper.js'

t.test('GET /api/websocket/sessions › lists only the caller\'s live sessions', async t => {
  const { app, ws } = await listen(t)
  const [a1, ok1] = await authenticated(app, ws, 'alice')
  const [a2, ok2] = await authenticated(app, ws, 'alice')
  const [b1] = await authenticated(app, ws, 'bob')
  const res = await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: authHeaders(tokenFor(app, 'alice')) })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.success, true)
  t.same(body.sessions.map((s: { sessionId: string }) => s.sessionId).sort(), [ok1.sessionId, ok2.sessionId].sort())
  t.match(body.sessions[0], { userId: 'alice', chatServerKey: 'UD21', authenticatedAt: String })
  t.same(app.liveSockets.localSessionIds().length, 3, 'this instance holds all three sockets')
  for (const c of [a1, a2, b1]) c.close()
})

t.test('GET /api/websocket/sessions › needs the same credentials as the ticket route', async t => {
  const { app } = await listen(t)
  const missing = await app.inject({ method: 'GET', url: '/api/websocket/sessions' })
  t.equal(missing.statusCode, 401)
  t.equal(missing.json().code, 'AUTH_MISSING')
  const badKey = await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: authHeaders(tokenFor(app, 'alice'), 'x') })
  t.equal(badKey.json().code, 'SERVER_KEY_INVALID')
})

t.test('DELETE /api/websocket/sessions/:sessionId › revokes: session_revoked, close 4007, record gone', async t => {
  const { app, ws } = await listen(t)
  const [client, ok] = await authenticated(app, ws, 'alice')
  const res = await app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${ok.sessionId}`, headers: authHeaders(tokenFor(app, 'alice')) })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { success: true })
  const revoked = await client.next()
  t.equal(revoked.type, 'session_revoked')
  t.ok(Date.parse(revoked.timestamp))
  t.equal((await client.closed).code, 4007)
  t.equal(await app.store.getSession(ok.sessionId), undefined)
  const again = await app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${ok.sessionId}`, headers: authHeaders(tokenFor(app, 'alice')) })
  t.equal(again.statusCode, 404)
  t.equal(again.json().code, 'SESSION_NOT_FOUND')
})

t.test('DELETE /api/websocket/sessions/:sessionId › another user\'s session is 404 and stays connected', async t => {
  const { app, ws } = await listen(t)
  const [client, ok] = await authenticated(app, ws, 'alice')
  const res = await app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${ok.sessionId}`, headers: authHeaders(tokenFor(app, 'mallory')) })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { success: false, error: res.json().error, code: 'SESSION_NOT_FOUND' })
  t.ok(await app.store.getSession(ok.sessionId))
  t.equal((await client.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong')
  client.close()
})

t.test('session routes › 503 DATABASE_ERROR when the store is unreachable', async t => {
  const { app } = await listen(t)
  await app.store.close()
  for (const [method, url] of [
    ['GET', '/api/websocket/sessions'], ['DELETE', '/api/websocket/sessions'], ['DELETE', '/api/websocket/sessions/session_00000000000000000000000000000000']
  ] as const) {
    const res = await app.inject({ method, url, headers: authHeaders(tokenFor(app, 'alice')) })
    t.equal(res.statusCode, 503, `${method}`)
    t.equal(res.json().code, 'DATABASE_ERROR')
  }
})

t.test('DELETE /api/websocket/sessions › revokes every session of the caller (session_revoked, 4007), none of another user\'s', async t => {
  const { app, ws } = await listen(t)
  const mine = [await authenticated(app, ws, 'alice'), await authenticated(app, ws, 'alice')]
  const [bob] = await authenticated(app, ws, 'bob')
  const { 'content-type': _, ...headers } = authHeaders(tokenFor(app, 'alice'))
  const res = await app.inject({ method: 'DELETE', url: '/api/websocket/sessions', headers })
  t.same(res.json(), { success: true, revoked: 2 })
  for (const [client] of mine) {
    t.match(await client.next(), { type: 'session_revoked', reconnect: false })
    t.equal((await client.closed).code, 4007)
  }
  t.same(await app.store.listSessions('alice'), [])
  t.equal((await bob.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong', 'bob is still connected')
  const again = await app.inject({ method: 'DELETE', url: '/api/websocket/sessions', headers: authHeaders(tokenFor(app, 'alice')), payload: '' })
  t.same(again.json(), { success: true, revoked: 0 }, 'nothing left; a JSON content type without a body is fine')
  const missing = await app.inject({ method: 'DELETE', url: '/api/websocket/sessions' })
  t.equal(missing.json().code, 'AUTH_MISSING')
  t.equal((await app.inject({ method: 'DELETE', url: '/api/websocket/sessions', headers: authHeaders(tokenFor(app, 'bob'), 'x') })).json().code, 'SERVER_KEY_INVALID')
  t.equal((await app.store.listSessions('bob')).length, 1, 'an invalid server key revoked nothing')
  bob.close()
})
