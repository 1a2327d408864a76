import t from 'tap'
import { Type } from '@sinclair/typebox'
import { listen, authenticated, Client } from '../helper.js'
import { defineMessage } from '../../src/ws/handlers.js'

t.test('GET /ws › chat_message echoes, with the id echoed and a timestamp', async t => {
  const { app, ws } = await listen(t)
  const [client] = await authenticated(app, ws)
  const answer = await client.request({ type: 'chat_message', content: 'héllo 👋', id: 'm1' })
  t.match(answer, { type: 'chat_response', content: 'Echo: héllo 👋', id: 'm1' })
  t.ok(Date.parse(answer.timestamp))
  t.notOk('id' in await client.request({ type: 'chat_message', content: 'no id' }), 'no id, no echo')
  client.close()
})

t.test('GET /ws › configure_tools keeps the tools and answers their count', async t => {
  const { app, ws } = await listen(t)
  const [client] = await authenticated(app, ws)
  t.match(await client.request({ type: 'configure_tools', toolSchemas: [{ name: 'a' }, { name: 'b' }], id: 't' }), { type: 'tools_configured', toolCount: 2, id: 't' })
  t.match(await client.request({ type: 'configure_tools', toolSchemas: [] }), { type: 'tools_configured', toolCount: 0 })
  client.close()
})

t.test('GET /ws › heartbeat_ping echoes timestamp and pingTime unchanged', async t => {
  const { app, ws } = await listen(t)
  const [client] = await authenticated(app, ws)
  t.match(await client.request({ type: 'heartbeat_ping', timestamp: 'whatever-the-client-sent', pingTime: 12.5 }), { type: 'heartbeat_pong', originalTimestamp: 'whatever-the-client-sent', pingTime: 12.5 })
  t.match(await client.request({ type: 'heartbeat_ping', timestamp: 1700000000000 }), { type: 'heartbeat_pong', originalTimestamp: 1700000000000 })
  const bare = await client.request({ type: 'heartbeat_ping' })
  t.equal(bare.type, 'heartbeat_pong')
  t.ok(Date.parse(bare.timestamp))
  client.close()
})

t.test('GET /ws › INVALID_MESSAGE for a known type that breaks its schema; the connection stays open', async t => {
  const { app, ws } = await listen(t)
  const [client] = await authenticated(app, ws)
  const bad = [
    { type: 'chat_message' },
    { type: 'chat_message', content: '' },
    { type: 'chat_message', content: 'x'.repeat(16385) },
    { type: 'chat_message', content: 42 },
    { type: 'chat_message', content: 'x', id: 'i'.repeat(65) },
    { type: 'configure_tools', toolSchemas: 'nope' },
    { type: 'configure_tools', toolSchemas: [1, 2] },
    { type: 'configure_tools', toolSchemas: Array.from({ length: 129 }, () => ({})) },
    { type: 'heartbeat_ping', pingTime: 'soon' },
    { type: 'heartbeat_ping', timestamp: { at: 1 } }
  ]
  for (const message of bad) {
    t.match(await client.request({ ...message, id: message.id ?? 'bad' }), { type: 'error', code: 'INVALID_MESSAGE' }, JSON.stringify(message).slice(0, 60))
  }
  t.equal((await client.request({ type: 'chat_message', content: 'x'.repeat(16384) })).type, 'chat_response', '16384 chars is fine')
  t.equal((await client.request({ type: 'configure_tools', toolSchemas: Array.from({ length: 128 }, () => ({})) })).toolCount, 128)
  t.equal(client.socket.readyState, client.socket.OPEN)
  client.close()
})

t.test('GET /ws › UNKNOWN_MESSAGE_TYPE after authentication', async t => {
  const { app, ws } = await listen(t)
  const [client] = await authenticated(app, ws)
  for (const message of [{ type: 'bogus', id: 'u' }, { type: 42 }, { content: 'no type' }, { type: 'authenticate', token: 'x' }]) {
    t.match(await client.request(message), { type: 'error', code: 'UNKNOWN_MESSAGE_TYPE' })
  }
  t.equal((await client.request({ type: 'bogus', id: 'u' })).id, 'u')
  client.close()
})

t.test('GET /ws › INVALID_JSON for text that is not a JSON object and for binary frames', async t => {
  const { app, ws } = await listen(t)
  for (const auth of [false, true]) {
    const [client] = auth ? await authenticated(app, ws) : await Client.connect(ws)
    for (const frame of ['nope', '{"type":', '[1,2]', '42', 'null', '"str"']) {
      t.match(await client.request(frame), { type: 'error', code: 'INVALID_JSON' }, `${frame} (authenticated: ${auth})`)
    }
    client.socket.send(Buffer.from('{"type":"chat_message","content":"x"}'), { binary: true })
    t.match(await client.next(), { type: 'error', code: 'INVALID_JSON' }, 'binary frame')
    t.equal(client.socket.readyState, client.socket.OPEN)
    client.close()
  }
})

t.test('GET /ws › a frame over MAX_MESSAGE_BYTES closes 1009', async t => {
  const { app, ws } = await listen(t, { MAX_MESSAGE_BYTES: '1024' })
  const [client] = await authenticated(app, ws)
  client.send({ type: 'chat_message', content: 'x'.repeat(2000) })
  t.equal((await client.closed).code, 1009)
})

t.test('GET /ws › MESSAGE_RATE_LIMITED drops messages beyond MESSAGE_RATE_LIMIT without closing; the next window serves again', async t => {
  const { app, ws } = await listen(t, { MESSAGE_RATE_LIMIT: '4' })
  const [client] = await authenticated(app, ws)
  for (let i = 0; i < 3; i++) t.equal((await client.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong')
  t.match(await client.request({ type: 'chat_message', content: 'dropped', id: 'x' }), { type: 'error', code: 'MESSAGE_RATE_LIMITED' })
  t.equal(client.socket.readyState, client.socket.OPEN)
  // The window is 60 s: move the clock instead of waiting.
  const realNow = Date.now
  Date.now = () => realNow() + 61_000
  t.teardown(() => { Date.now = realNow })
  t.equal((await client.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong')
  Date.now = realNow
  client.close()
})

t.test('GET /ws › application handlers replace the echo, add types, and failures answer MESSAGE_ERROR', async t => {
  const messages = [
    defineMessage(Type.Object({ type: Type.Literal('chat_message'), id: Type.Optional(Type.String()), content: Type.String() }), (msg, ctx) => {
      ctx.reply({ type: 'chat_response', content: `${ctx.session.userId} said ${msg.content}` })
    }),
    defineMessage(Type.Object({ type: Type.Literal('boom'), id: Type.Optional(Type.String()), async: Type.Boolean() }), (msg) => {
      if (msg.async) return Promise.reject(new Error('async failure'))
      throw new Error('sync failure')
    }),
    defineMessage(Type.Object({ type: Type.Literal('whoami') }), (_msg, ctx) => {
      ctx.state.count = (ctx.state.count as number ?? 0) + 1
      ctx.reply({ type: 'identity', userId: ctx.session.userId, count: ctx.state.count })
    })
  ]
  const { app, ws } = await listen(t, {}, { messages })
  const [client] = await authenticated(app, ws)
  t.match(await client.request({ type: 'chat_message', content: 'hi' }), { type: 'chat_response', content: 'alice said hi' })
  t.match(await client.request({ type: 'boom', async: true, id: 'b1' }), { type: 'error', code: 'MESSAGE_ERROR', id: 'b1' })
  t.match(await client.request({ type: 'boom', async: false, id: 'b2' }), { type: 'error', code: 'MESSAGE_ERROR', id: 'b2' })
  const invalid = await client.request({ type: 'boom', async: 'no' })
  t.match(invalid, { type: 'error', code: 'INVALID_MESSAGE' })
  t.match(invalid.error, /\/async/, 'the error names the field')
  t.match(await client.request({ type: 'whoami' }), { type: 'identity', userId: 'alice', count: 1 }, 'application replies are serialised too')
  t.match(await client.request({ type: 'whoami' }), { count: 2 }, 'per-connection state persists')
  t.equal(client.socket.readyState, client.socket.OPEN)
  client.close()
  t.rejects(listen(t, {}, { messages: [defineMessage(Type.Object({ type: Type.Literal('ticket_authenticate') }), () => {})] }), /cannot be replaced/)
  t.rejects(listen(t, {}, { messages: [defineMessage(Type.Object({ type: Type.Literal('session_refresh') }), () => {})] }), /session_refresh cannot be replaced/)
})
