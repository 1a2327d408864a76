import t, { type Test } from 'tap'
import { EventEmitter } from 'node:events'
import { createMemoryStore } from '../../src/stores/memory.js'
import { listen, issueTicket, Client, authenticated } from '../helper.js'
import { withFaults } from '../support/faults.js'
import { removalOf, waitFor } from '../support/events.js'

function faultyApp (t: Test, env: Record<string, string> = {}) {
  const real = createMemoryStore()
  t.teardown(() => real.close())
  const faults = withFaults(real)
  // Store calls as they start and settle, for tests that act in the middle of one.
  const calls = new EventEmitter()
  const store = {
    ...faults.store,
    consumeTicket: async (digest: string) => { calls.emit('consumeTicket'); return await faults.store.consumeTicket(digest) },
    removeSession: async (id: string) => { try { return await faults.store.removeSession(id) } finally { calls.emit('removeSession settled') } }
  }
  return { faults, real, calls, server: listen(t, env, { store }) }
}

t.test('GET /ws › AUTH_ERROR when the store fails before the consume; the ticket stays valid', async t => {
  const { faults, server } = faultyApp(t)
  const { app, ws } = await server
  const ticket = await issueTicket(app)
  faults.fail('consumeTicket')
  const [client] = await Client.connect(ws)
  t.match(await client.request({ type: 'ticket_authenticate', ticket, id: 'a' }), { type: 'authentication_error', code: 'AUTH_ERROR', id: 'a' })
  t.equal(client.socket.readyState, client.socket.OPEN)
  faults.heal()
  t.equal((await client.request({ type: 'ticket_authenticate', ticket })).type, 'authentication_success', 'the same ticket works once the store is back')
  client.close()
})

t.test('GET /ws › AUTH_ERROR when the session cannot be written; no session is left', async t => {
  const { faults, real, server } = faultyApp(t)
  const { app, ws } = await server
  const ticket = await issueTicket(app)
  faults.fail('createSession')
  const [client] = await Client.connect(ws)
  t.match(await client.request({ type: 'ticket_authenticate', ticket }), { type: 'authentication_error', code: 'AUTH_ERROR' })
  t.same(await real.listSessions('alice'), [])
  client.close()
})

t.test('GET /ws › a peer that leaves during the redemption leaves no session behind', async t => {
  const { faults, real, calls, server } = faultyApp(t)
  const { app, ws } = await server
  const ticket = await issueTicket(app)
  faults.delay(150)
  const [client, hello] = await Client.connect(ws)
  const removed = removalOf(app.liveSockets.events, hello.sessionId)
  const redeeming = waitFor(calls, 'consumeTicket')
  client.send({ type: 'ticket_authenticate', ticket })
  await redeeming
  client.socket.terminate()
  await removed
  t.same(await real.listSessions('alice'), [])
  t.equal(real.size().sessions, 0)
})

t.test('GET /ws › a session the store cannot remove on close is left to its TTL, without crashing', async t => {
  const { faults, real, calls, server } = faultyApp(t)
  const { app, ws } = await server
  const [client] = await authenticated(app, ws)
  faults.fail('removeSession')
  const attempted = waitFor(calls, 'removeSession settled')
  client.close()
  await client.closed
  await attempted
  t.equal((await real.listSessions('alice')).length, 1, 'still stored, expires with SESSION_TTL_SECONDS')
  const [again] = await authenticated(app, ws, 'bob')
  t.ok(again, 'the service keeps serving')
  again.close()
})

t.test('session routes › a non-availability store failure is a 500 without details', async t => {
  const real = createMemoryStore()
  t.teardown(() => real.close())
  const store = { ...real, listSessions: async () => { throw new TypeError('internal detail') } }
  const { app } = await listen(t, {}, { store })
  const res = await app.inject({ method: 'GET', url: '/api/websocket/sessions', headers: { authorization: `Bearer ${app.jwt.sign({ userId: 'a' })}`, 'x-chat-server-key': 'UD21' } })
  t.equal(res.statusCode, 500)
  t.same(res.json(), { success: false, error: 'Internal server error', code: 'INTERNAL_ERROR' })
})

t.test('store events › deliveries reach the sockets of a user or a session on this instance', async t => {
  const { app, ws } = await listen(t)
  const [a1, ok1] = await authenticated(app, ws, 'alice')
  const [a2] = await authenticated(app, ws, 'alice')
  await app.store.publish({ kind: 'deliver', userId: 'alice', payload: '{"type":"notice","n":1}' })
  t.same(await a1.next(), { type: 'notice', n: 1 })
  t.same(await a2.next(), { type: 'notice', n: 1 })
  await app.store.publish({ kind: 'deliver', sessionId: ok1.sessionId, payload: '{"type":"notice","n":2}' })
  await app.store.publish({ kind: 'deliver', userId: 'nobody', payload: '{}' })
  await app.store.publish({ kind: 'revoke', sessionId: 'session_unknown' })
  t.same(await a1.next(), { type: 'notice', n: 2 })
  t.equal((await a2.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong', 'only the addressed session got it')
  a1.close()
  a2.close()
})
