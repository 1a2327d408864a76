import t from 'tap'
import { Client, authenticated, issueTicket, listen } from '../helper.js'
import { until } from '../support/wait.js'
import type { StoreEvent } from '../../src/stores/types.js'

const KEY = 'operations-test-key'
const ENV = { BACKEND_API_KEYS: KEY }
const backend = { authorization: `Bearer ${KEY}` }

t.test('GET /api/websocket/stats › open sockets and last minute\'s authentications on this instance, by result and code', async t => {
  const server = await listen(t, ENV)
  const stats = async () => (await server.app.inject({ method: 'GET', url: '/api/websocket/stats', headers: backend })).json()
  t.match(await stats(), {
    success: true, instance: { connections: 0, sessions: 0 }, authentications: { windowSeconds: 60, success: 0, failure: 0, byCode: {} }, timestamp: String
  })
  const [alice] = await authenticated(server.app, server.ws, 'alice')
  const ticket = await issueTicket(server.app, 'bob')
  const [bob] = await Client.connect(server.ws)
  t.equal((await bob.request({ type: 'ticket_authenticate', ticket })).type, 'authentication_success')
  const [replay] = await Client.connect(server.ws)
  t.match(await replay.request({ type: 'ticket_authenticate', ticket }), { code: 'TICKET_USED' })
  t.match(await stats(), {
    instance: { connections: 3, sessions: 2 }, authentications: { success: 2, failure: 1, byCode: { OK: 2, TICKET_USED: 1 } }
  }, 'the refused socket counts as open, not as a session')
  replay.close()
  await until('the refused socket is closed', async () => (await stats()).instance.connections === 2)
  for (const c of [alice, bob]) c.close()
})

t.test('GET /api/websocket/stats › kept with ENABLE_METRICS on, and /metrics counts the same authentications', async t => {
  const server = await listen(t, { ...ENV, ENABLE_METRICS: 'true' })
  const [alice] = await authenticated(server.app, server.ws, 'alice')
  const stats = (await server.app.inject({ method: 'GET', url: '/api/websocket/stats', headers: backend })).json()
  t.match(stats.authentications, { success: 1, byCode: { OK: 1 } })
  const metrics = (await server.app.inject({ method: 'GET', url: '/metrics' })).body
  t.match(metrics, /wsticket_ws_authentications_total\{method="ticket",result="success",code="OK"\} 1/)
  alice.close()
})

t.test('GET /api/websocket/stats › 401 AUTH_MISSING and AUTH_INVALID without the backend key', async t => {
  const server = await listen(t, ENV)
  const get = async (headers: Record<string, string>) => (await server.app.inject({ method: 'GET', url: '/api/websocket/stats', headers })).json().code
  t.equal(await get({}), 'AUTH_MISSING')
  t.equal(await get({ authorization: 'Bearer wrong' }), 'AUTH_INVALID')
  t.equal(await get({ authorization: 'Bearer UD21' }), 'AUTH_INVALID', 'a chat-server key is not a backend key')
})

t.test('DELETE /api/websocket/users/:userId/sessions/:sessionId › revokes that one session (4007, reconnect as asked); the others stay', async t => {
  const server = await listen(t, ENV)
  const [a1, ok1] = await authenticated(server.app, server.ws, 'alice')
  const [a2, ok2] = await authenticated(server.app, server.ws, 'alice')
  const [b1, okBob] = await authenticated(server.app, server.ws, 'bob')
  const revokes: StoreEvent[] = []
  server.app.store.subscribe(event => { if (event.kind === 'revoke') revokes.push(event) })
  const revoke = async (userId: string, sessionId: string, payload?: object) => await server.app.inject({
    method: 'DELETE', url: `/api/websocket/users/${userId}/sessions/${sessionId}`, headers: backend, ...(payload === undefined ? {} : { payload })
  })
  const wrongUser = await revoke('alice', okBob.sessionId)
  t.match(wrongUser, { statusCode: 404 })
  t.equal(wrongUser.json().code, 'SESSION_NOT_FOUND', "bob's session through alice's path is not found")
  t.equal((await revoke('alice', 'session_unknown')).json().code, 'SESSION_NOT_FOUND')
  t.same((await revoke('alice', ok1.sessionId, { reconnect: true })).json(), { success: true })
  t.match(await a1.next(), { type: 'session_revoked' })
  t.equal((await a1.closed).code, 4007)
  t.same((await revoke('alice', ok2.sessionId)).json(), { success: true }, 'no body: reconnect false')
  t.match(await a2.next(), { type: 'session_revoked' })
  t.equal((await a2.closed).code, 4007)
  t.same(revokes, [{ kind: 'revoke', sessionId: ok1.sessionId, reconnect: true }, { kind: 'revoke', sessionId: ok2.sessionId, reconnect: false }],
    'each revocation carries the reconnect asked for')
  t.same(await server.app.store.listSessions('alice'), [])
  t.equal((await b1.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong', 'bob is still connected')
  const badBody = await server.app.inject({
    method: 'DELETE', url: `/api/websocket/users/bob/sessions/${okBob.sessionId}`, headers: { ...backend, 'content-type': 'application/json' }, payload: '{"reconnect":1}'
  })
  t.equal(badBody.json().code, 'VALIDATION_ERROR')
  t.equal((await server.app.inject({ method: 'DELETE', url: `/api/websocket/users/bob/sessions/${okBob.sessionId}` })).json().code, 'AUTH_MISSING')
  b1.close()
})
