import t from 'tap'
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import { Type } from '@sinclair/typebox'
import wsTicketAuth, {
  ChatMessageSchema, createMemoryStore, defineMessage, resolveConfig, signDevToken, ERRORS, WS_ERROR_CODES, wsTicketAuth as named
} from '../../src/index.js'
import { Client } from '../helper.js'

const SECRET = 'library-test-secret'
const KEY = 'my-chat-server'

/** An "existing" Fastify app with a route of its own, then the plugin registered into it. */
async function existingApp (t: { teardown: (fn: () => unknown) => void }, opts: Parameters<typeof wsTicketAuth>[1]) {
  const host = Fastify()
  host.get('/api/rooms', async () => ({ rooms: ['general'] }))
  await host.register(wsTicketAuth, opts)
  t.teardown(() => host.close())
  await host.listen({ port: 0, host: '127.0.0.1' })
  const { port } = host.server.address() as AddressInfo
  return { host, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` }
}

async function ticket (http: string, userId: string): Promise<string> {
  const res = await fetch(`${http}/api/websocket/ticket`, {
    method: 'POST',
    headers: { authorization: `Bearer ${signDevToken(userId, { secret: SECRET })}`, 'x-chat-server-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ userId })
  })
  return (await res.json()).ticket
}

async function signIn (http: string, ws: string, userId: string): Promise<[Client, string]> {
  const [client] = await Client.connect(ws)
  const ok = await client.request({ type: 'ticket_authenticate', ticket: await ticket(http, userId) })
  if (ok.type !== 'authentication_success') throw new Error(JSON.stringify(ok))
  return [client, ok.sessionId]
}

t.test('library › the main export is the plugin, with the protocol, config and stores beside it', async t => {
  t.equal(wsTicketAuth, named)
  t.equal(typeof resolveConfig, 'function')
  t.equal(typeof createMemoryStore, 'function')
  t.equal(ERRORS.TICKET_USED.close, 4004)
  t.ok(WS_ERROR_CODES.includes('SESSION_REVOKED'))
  t.equal(ChatMessageSchema.properties.type.const, 'chat_message')
})

t.test('library › registered into an existing app with a partial config: its routes, the ticket flow and its own handler', async t => {
  const { host, http, ws } = await existingApp(t, {
    config: { jwtSecret: SECRET, chatServerKeys: [KEY] },
    messages: [defineMessage(ChatMessageSchema, (msg, { session, reply }) => {
      reply({ type: 'chat_response', content: `${session.userId} (${session.chatServerKey}): ${msg.content}` })
    })]
  })
  t.same(await (await fetch(`${http}/api/rooms`)).json(), { rooms: ['general'] }, 'the host app keeps its routes')
  t.equal(host.config.jwtSecret, SECRET)
  t.equal((await fetch(`${http}/`)).status, 404, 'no demo page in library mode unless asked')
  const [client] = await signIn(http, ws, 'alice')
  t.match(await client.request({ type: 'chat_message', content: 'hi', id: '1' }), { type: 'chat_response', content: 'alice (my-chat-server): hi', id: '1' })
  t.match(await client.request({ type: 'chat_message', content: '' }), { type: 'error', code: 'INVALID_MESSAGE' })
  t.match(await client.request({ type: 'heartbeat_ping', pingTime: 1 }), { type: 'heartbeat_pong', pingTime: 1 }, 'built-ins stay')
  t.match(await client.request({ type: 'session_refresh', ticket: await ticket(http, 'alice') }), { type: 'session_refreshed' }, 'and in-band refresh')
  client.close()
})

t.test('library › a host with its own error and 404 handlers keeps them; the plugin\'s routes keep the protocol\'s envelope', async t => {
  const host = Fastify()
  t.teardown(() => host.close())
  host.setErrorHandler(async (_error, _request, reply) => await reply.code(418).send({ host: 'error' }))
  host.setNotFoundHandler(async (_request, reply) => await reply.code(404).send({ host: 'not found' }))
  host.get('/api/fail', async () => { throw new Error('host failure') })
  await host.register(wsTicketAuth, { config: { jwtSecret: SECRET, chatServerKeys: [KEY] }, notFoundHandler: false })
  const hostFailure = await host.inject({ method: 'GET', url: '/api/fail' })
  t.same([hostFailure.statusCode, hostFailure.json()], [418, { host: 'error' }], 'the host\'s routes keep the host\'s error handler')
  t.equal(hostFailure.headers['content-security-policy'], undefined, 'and are not given the plugin\'s Helmet headers')
  t.same((await host.inject({ method: 'GET', url: '/nowhere' })).json(), { host: 'not found' })
  const refused = await host.inject({ method: 'POST', url: '/api/websocket/ticket', payload: { userId: 'alice' } })
  t.same([refused.statusCode, refused.json().code], [401, 'AUTH_MISSING'], 'the plugin\'s routes answer in the envelope')
  t.ok(refused.headers['content-security-policy'], 'with Helmet')
})

t.test('library › sendToUser reaches every socket of a user and sendToSession one, on every instance sharing the store', async t => {
  const store = createMemoryStore()
  const config = { jwtSecret: SECRET, chatServerKeys: [KEY] }
  const a = await existingApp(t, { config, store })
  const b = await existingApp(t, { config, store })
  const [onA, sessionA] = await signIn(a.http, a.ws, 'alice')
  const [onB] = await signIn(b.http, b.ws, 'alice')
  const [bob] = await signIn(a.http, a.ws, 'bob')

  await a.host.sendToUser('alice', { type: 'chat_response', content: 'to every alice' })
  for (const socket of [onA, onB]) t.match(await socket.next(), { type: 'chat_response', content: 'to every alice' })
  await b.host.sendToSession(sessionA, { type: 'notice', text: 'only this one' })
  const notice = await onA.next()
  t.match(notice, { type: 'notice', text: 'only this one' }, 'from instance B to a socket on instance A')
  t.ok(Date.parse(notice.timestamp), 'stamped by the server')
  await b.host.sendToUser('bob', { type: 'chat_response', content: 'bob only' })
  t.match(await bob.next(), { content: 'bob only' })
  t.rejects(onB.next(200), /no message/, 'alice on B got nothing meant for A\'s session or for bob')
  await t.rejects(bob.next(200), /no message/, 'bob got nothing meant for alice')
  for (const c of [onA, onB, bob]) c.close()
})

t.test('library › a handler answers through typed reply and can push to others', async t => {
  const Typing = Type.Object({ type: Type.Literal('typing'), to: Type.String({ minLength: 1 }) })
  const holder: { host?: Awaited<ReturnType<typeof existingApp>>['host'] } = {}
  const { host, http, ws } = await existingApp(t, {
    config: { jwtSecret: SECRET, chatServerKeys: [KEY] },
    messages: [defineMessage(Typing, async (msg, { session, reply }) => {
      await holder.host?.sendToUser(msg.to, { type: 'typing', from: session.userId })
      reply({ type: 'tools_configured', toolCount: 0 })
      if (msg.to === 'never') {
        // @ts-expect-error a built-in reply must match its schema
        reply({ type: 'chat_response', text: 'wrong field' })
        // @ts-expect-error a built-in reply must match its schema
        await holder.host?.sendToUser('x', { type: 'tools_configured', toolCount: 'two' })
      }
    })]
  })
  holder.host = host
  const [alice] = await signIn(http, ws, 'alice')
  const [bob] = await signIn(http, ws, 'bob')
  t.match(await alice.request({ type: 'typing', to: 'bob' }), { type: 'tools_configured', toolCount: 0 })
  t.match(await bob.next(), { type: 'typing', from: 'alice' })
  t.match(await alice.request({ type: 'typing', to: 42 }), { type: 'error', code: 'INVALID_MESSAGE' }, 'validated like built-ins')
  alice.close()
  bob.close()
})

t.test('library › revokeUser and presence work on every instance sharing the store, without the backend API', async t => {
  const store = createMemoryStore()
  const config = { jwtSecret: SECRET, chatServerKeys: [KEY] }
  const a = await existingApp(t, { config, store })
  const b = await existingApp(t, { config, store })
  const [onA] = await signIn(a.http, a.ws, 'alice')
  const [onB] = await signIn(b.http, b.ws, 'alice')
  const [bob] = await signIn(a.http, a.ws, 'bob')
  t.same(await b.host.presence(['alice', 'bob', 'carol']), { alice: 2, bob: 1, carol: 0 })
  t.equal((await fetch(`${a.http}/api/websocket/presence?userId=alice`)).status, 404, 'the backend API itself stays off')
  t.equal(await b.host.revokeUser('alice', { reconnect: true }), 2)
  for (const socket of [onA, onB]) {
    t.match(await socket.next(), { type: 'session_revoked', reconnect: true })
    t.equal((await socket.closed).code, 4007)
  }
  t.same(await a.host.presence(['alice', 'bob']), { alice: 0, bob: 1 })
  t.equal(await a.host.revokeUser('alice'), 0)
  bob.close()
})
