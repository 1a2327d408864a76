import t from 'tap'
import { Type } from '@sinclair/typebox'
import { build, listen, tokenFor, authHeaders } from '../helper.js'
import { freePort } from '../support/net.js'
import { clientOptions, track } from './support.js'
import { createClient } from '../../src/client/index.js'
import { defineMessage } from '../../src/ws/handlers.js'
import { HeartbeatPingSchema, type ServerMessage } from '../../src/protocol/messages.js'

t.test('client › fetches a ticket, connects and authenticates; typed send, on and request', async t => {
  const { app, http } = await listen(t)
  const client = createClient(clientOptions(app, http, 'alice', { user: { userId: 'alice', entityId: 'brand-1', entityType: 'BRAND' } }))
  const states = track(client)
  t.equal(client.state, 'idle')
  const [success, again] = await Promise.all([client.connect(), client.connect()])
  t.same(states.states(), ['fetching_ticket', 'connecting', 'authenticating', 'open'])
  t.equal(again, success, 'a second connect() while connecting waits for the same authentication')
  t.equal(await client.connect(), success, 'connect() when open answers at once')
  t.match(success, { type: 'authentication_success', user: { userId: 'alice', entityId: 'brand-1', entityType: 'BRAND' } })
  t.equal(client.sessionId, success.sessionId, 'the session announced in connection_established')
  t.same(client.user, success.user)
  t.same((await app.store.listSessions('alice')).map(s => s.sessionId), [success.sessionId], 'a live session on the server')

  const echoes: string[] = []
  const off = client.on('chat_response', m => { echoes.push(m.content) })
  t.equal(client.send({ type: 'chat_message', content: 'one', id: 'mine' }), true)
  t.match(await client.request({ type: 'chat_message', content: 'two' }), { type: 'chat_response', content: 'Echo: two', id: 'req_1' })
  t.same(echoes, ['Echo: one', 'Echo: two'], 'listeners see replies to send() and request() in order')
  off()
  client.send({ type: 'chat_message', content: 'three' })
  t.match(await client.request({ type: 'heartbeat_ping', id: 'hb' }), { type: 'heartbeat_pong', id: 'hb' }, 'a pong without pingTime')
  t.same(echoes, ['Echo: one', 'Echo: two'], 'a removed listener hears nothing')
  t.match(await client.request({ type: 'configure_tools', toolSchemas: [{}] }), { type: 'tools_configured', toolCount: 1 })

  client.close()
  t.equal(client.state, 'closed')
  t.equal(client.send({ type: 'chat_message', content: 'late' }), false, 'nothing is sent when not open')
  await t.rejects(client.request({ type: 'chat_message', content: 'late' }), { code: 'NOT_CONNECTED' })
})

t.test('client › heartbeats measure the round trip; a missing pong reconnects (HEARTBEAT_TIMEOUT)', async t => {
  const { app, http } = await listen(t)
  const client = createClient(clientOptions(app, http, 'alice', { heartbeatIntervalMs: 30 }))
  const pong = new Promise(resolve => client.on('heartbeat_pong', resolve))
  await client.connect()
  t.match(await pong, { type: 'heartbeat_pong' })
  t.ok(client.rttMs !== undefined && client.rttMs >= 0, `rtt ${String(client.rttMs)} ms`)
  client.close()

  // A server whose heartbeat handler never answers.
  const silent = await listen(t, {}, { messages: [defineMessage(HeartbeatPingSchema, () => {})] })
  const deaf = createClient(clientOptions(silent.app, silent.http, 'bob', { heartbeatIntervalMs: 30 }))
  const states = track(deaf)
  const first = await deaf.connect()
  const retry = await states.next(c => c.state === 'reconnecting')
  t.match(retry.failure, { code: 'HEARTBEAT_TIMEOUT' })
  await states.next(c => c.state === 'open')
  t.not(deaf.sessionId, first.sessionId, 'a new session on a fresh ticket')
  deaf.close()
})

t.test('client › reconnects after a server restart on the same port: at once on 1001, then backoff, a fresh ticket', async t => {
  const port = await freePort()
  const start = async () => {
    const app = await build(t, { PORT: String(port) })
    await app.listen({ port, host: '127.0.0.1' })
    return app
  }
  const first = await start()
  const http = `http://127.0.0.1:${port}`
  const client = createClient(clientOptions(first, http, 'alice', { heartbeatIntervalMs: 0 }))
  const states = track(client)
  const shutdown = new Promise(resolve => client.on('server_shutdown', resolve))
  const before = await client.connect()

  const goingAway = states.next(c => c.state === 'reconnecting')
  await first.close()
  await shutdown
  const immediate = await goingAway
  t.match(immediate, { delayMs: 0, failure: { code: 'SERVER_SHUTDOWN', closeCode: 1001 } }, 'going away: no wait')
  const refused = await states.next(c => c.state === 'reconnecting')
  t.match(refused.failure, { code: 'NETWORK_ERROR' }, 'nothing listens while the server restarts')
  t.ok((refused.delayMs ?? 0) > 0, 'then it backs off')

  const second = await start()
  await states.next(c => c.state === 'open')
  t.not(client.sessionId, before.sessionId, 'a new session')
  t.same((await second.store.listSessions('alice')).map(s => s.sessionId), [client.sessionId], 'held by the new server')
  t.match(await client.request({ type: 'chat_message', content: 'back' }), { content: 'Echo: back' })
  client.close()
})

t.test('client › stops and reports what a retry cannot fix', async t => {
  const { app, http } = await listen(t)
  const cases = [
    { name: 'AUTH_INVALID', opts: { getToken: () => 'not-a-jwt' }, status: 401 },
    { name: 'SERVER_KEY_INVALID', opts: { serverKey: 'nope' }, status: 401 },
    { name: 'USER_MISMATCH', opts: { user: 'mallory' }, status: 403 }
  ]
  for (const { name, opts, status } of cases) {
    const client = createClient(clientOptions(app, http, 'alice', opts))
    const states = track(client)
    await t.rejects(client.connect(), { name: 'ClientError', code: name, status }, `${name}: connect() rejects`)
    t.equal(client.state, 'failed')
    t.match(client.failure, { code: name, status })
    t.same(states.states(), ['fetching_ticket', 'failed'], `${name}: no retry`)
  }
})

t.test('client › SESSION_REVOKED (4007) ends the client for good', async t => {
  const { app, http } = await listen(t)
  const client = createClient(clientOptions(app, http, 'alice', { heartbeatIntervalMs: 0 }))
  const states = track(client)
  const { sessionId } = await client.connect()
  const pending = client.request({ type: 'chat_message', content: 'x', id: 'never' }, 60_000)
  const res = await app.inject({ method: 'DELETE', url: `/api/websocket/sessions/${sessionId}`, headers: authHeaders(tokenFor(app, 'alice')) })
  t.equal(res.statusCode, 200)
  const failed = await states.next(c => c.state === 'failed')
  t.match(failed.failure, { code: 'SESSION_REVOKED', closeCode: 4007 })
  t.equal(client.state, 'failed')
  await pending.then(() => t.pass('the reply came first'), (err: { code: string }) => t.equal(err.code, 'DISCONNECTED'))
})

t.test('client › retries with exponential backoff and jitter while the service is unreachable', async t => {
  const port = await freePort()
  const app = await build(t)
  const backoff = { initialMs: 10, factor: 2, maxMs: 40, jitter: 0.5 }
  const client = createClient(clientOptions(app, `http://127.0.0.1:${port}`, 'alice', { backoff }))
  const states = track(client)
  const connecting = client.connect()
  const delays: number[] = []
  for (let i = 0; i < 4; i++) {
    const change = await states.next(c => c.state === 'reconnecting')
    t.match(change, { failure: { code: 'NETWORK_ERROR' }, attempt: i + 1 })
    delays.push(change.delayMs as number)
  }
  const ceilings = [10, 20, 40, 40]
  delays.forEach((d, i) => t.ok(d >= ceilings[i] / 2 && d <= ceilings[i], `attempt ${i + 1}: ${d} ms in [${ceilings[i] / 2}, ${ceilings[i]}]`))
  client.close()
  await t.rejects(connecting, { code: 'CLOSED' }, 'close() rejects a pending connect()')
})

t.test('client › retries what a fresh ticket can fix: SESSION_LIMIT, then it gets in', async t => {
  const { app, http } = await listen(t, { MAX_SESSIONS_PER_USER: '1' })
  const holder = createClient(clientOptions(app, http, 'alice', { heartbeatIntervalMs: 0 }))
  await holder.connect()
  const second = createClient(clientOptions(app, http, 'alice', { heartbeatIntervalMs: 0 }))
  const states = track(second)
  const connected = second.connect()
  t.match((await states.next(c => c.state === 'reconnecting')).failure, { code: 'SESSION_LIMIT' }, 'refused by authentication_error, retried')
  holder.close()
  await connected
  t.equal(second.state, 'open')
  second.close()
})

t.test('client › RATE_LIMITED waits at least Retry-After; getToken failures are retried', async t => {
  const { app, http } = await listen(t, { TICKET_RATE_LIMIT: '1' })
  const first = createClient(clientOptions(app, http, 'alice', { heartbeatIntervalMs: 0 }))
  await first.connect()
  const second = createClient(clientOptions(app, http, 'alice'))
  const states = track(second)
  void second.connect().catch(() => {})
  const limited = await states.next(c => c.state === 'reconnecting')
  t.match(limited.failure, { code: 'RATE_LIMITED', status: 429 })
  t.ok((limited.failure?.retryAfterMs ?? 0) >= 1000, `Retry-After read: ${String(limited.failure?.retryAfterMs)} ms`)
  t.ok((limited.delayMs ?? 0) >= (limited.failure?.retryAfterMs ?? Infinity), 'the wait is at least Retry-After')
  second.close()
  first.close()

  let calls = 0
  const flaky = createClient(clientOptions(app, http, 'carol', {
    getToken: () => { if (++calls === 1) throw new Error('token service down'); return tokenFor(app, 'carol') }
  }))
  const flakyStates = track(flaky)
  await flaky.connect()
  t.match(flakyStates.seen.find(c => c.state === 'reconnecting')?.failure, { code: 'TOKEN_UNAVAILABLE', message: /token service down/ })
  flaky.close()
})

t.test('client › a ticket answer that is not the protocol\'s is retried (TICKET_REQUEST_FAILED)', async t => {
  const { app, http } = await listen(t)
  let calls = 0
  const client = createClient(clientOptions(app, http, 'alice', {
    fetch: async (...args: Parameters<typeof fetch>) => ++calls === 1 ? new Response('<html>proxy error</html>', { status: 200 }) : await fetch(...args)
  }))
  const states = track(client)
  await client.connect()
  t.match(states.seen[1], { state: 'reconnecting', failure: { code: 'TICKET_REQUEST_FAILED', status: 200, message: /HTTP 200/ } })
  client.close()
})

t.test('client › close() during a ticket request leaves no socket behind; connect() starts again', async t => {
  const { app, http } = await listen(t)
  for (const outcome of ['answers', 'fails'] as const) {
    let release: () => void = () => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    const client = createClient(clientOptions(app, http, 'alice', {
      fetch: async (...args: Parameters<typeof fetch>) => {
        await gate
        if (outcome === 'fails') throw new Error('offline')
        return await fetch(...args)
      }
    }))
    const states = track(client)
    const connecting = client.connect()
    client.close()
    release()
    await t.rejects(connecting, { code: 'CLOSED' })
    await new Promise(resolve => setTimeout(resolve, 50))
    t.same(states.states(), ['fetching_ticket', 'closed'], `the ticket request ${outcome} after close(): nothing follows`)
    t.same(await app.store.listSessions('alice'), [])
  }
  const client = createClient(clientOptions(app, http, 'alice'))
  await client.connect()
  client.close()
  await client.connect()
  t.equal(client.state, 'open', 'a closed client connects again')
  client.close()
})

t.test('client › request() times out; application message types are typed by the caller', async t => {
  const Silent = Type.Object({ type: Type.Literal('silent'), id: Type.Optional(Type.String()) })
  const { app, http } = await listen(t, {}, { messages: [defineMessage(Silent, () => {})] })
  type Out = { type: 'silent', id?: string }
  const client = createClient<ServerMessage, Out>(clientOptions(app, http, 'alice', { heartbeatIntervalMs: 0 }))
  await client.connect()
  await t.rejects(client.request({ type: 'silent' }, 30), { code: 'REQUEST_TIMEOUT' })
  // @ts-expect-error only the declared client messages can be sent
  client.send({ type: 'chat_message', content: 'x' })
  client.close()
})

t.test('client › without a WebSocket implementation it says what to pass', async t => {
  const global = globalThis as { WebSocket?: unknown }
  const saved = global.WebSocket
  delete global.WebSocket
  t.teardown(() => { if (saved !== undefined) global.WebSocket = saved })
  t.throws(() => createClient({ ticketUrl: 'http://x', wsUrl: 'ws://x', getToken: () => 't', serverKey: 'k', user: 'u' }), { name: 'TypeError', message: /WebSocket/ })
})
