import t from 'tap'
import type { AddressInfo } from 'node:net'
import WebSocket from 'ws'
import { Type } from '@sinclair/typebox'
import { Client, authenticated, listen, TEST_ENV } from '../helper.js'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { defineMessage } from '../../src/ws/handlers.js'

type ServerSocket = WebSocket & { _socket: { _httpMessage?: unknown } }
const serverSocket = (app: { websocketServer: { clients: Set<WebSocket> } }): ServerSocket =>
  [...app.websocketServer.clients][0] as ServerSocket

t.test('GET /ws › an authenticated socket keeps no upgrade response and one error listener', async t => {
  const { app, ws } = await listen(t)
  const [client] = await authenticated(app, ws)
  const socket = serverSocket(app)
  // The routing ServerResponse (helmet's headers included) no longer hangs off the TCP socket.
  t.equal(socket._socket._httpMessage, null)
  t.equal(socket.listenerCount('error'), 1)
  client.close()
  await client.closed
})

t.test('GET /ws › sockets share their listeners; the TCP close list is rebuilt at its size, in order', async t => {
  const { app, ws } = await listen(t)
  const [first] = await authenticated(app, ws, 'alice')
  const [second] = await authenticated(app, ws, 'bob')
  const [a, b] = [...app.websocketServer.clients] as Array<ServerSocket & { _socket: NodeJS.EventEmitter }>
  // No closure per socket (docs/benchmarks.md, idle memory): the very same functions on both.
  t.equal(a.listeners('message')[0], b.listeners('message')[0])
  t.same(a.listeners('close').filter(l => b.listeners('close').includes(l)).length, 1, 'the Connection\'s close listener is shared')
  // Admission's listener, then ws's: the order they were added in (HTTP's went at the upgrade).
  const closers = a._socket.rawListeners('close')
  t.same(closers, b._socket.rawListeners('close'))
  t.equal(closers.length, 2)
  first.close()
  second.close()
  await Promise.all([first.closed, second.closed])
})

t.test('GET /ws › authenticating and closing make no per-socket child logger', async t => {
  const { app, ws } = await listen(t)
  // A child bound to the sessionId, kept by the Connection, was ~0.9 KB of heap per idle socket (docs/benchmarks.md).
  const bound: unknown[] = []
  const child = app.log.child.bind(app.log)
  app.log.child = (bindings, options) => {
    if ('sessionId' in bindings) bound.push(bindings)
    return child(bindings, options)
  }
  const [client] = await authenticated(app, ws)
  client.close()
  await client.closed
  t.same(bound, [])
})

t.test('GET /ws › a frame over MAX_MESSAGE_BYTES still closes 1009 after the upgrade is released', async t => {
  const { app, ws } = await listen(t, { MAX_MESSAGE_BYTES: '1024' })
  const [client] = await authenticated(app, ws)
  client.send(JSON.stringify({ type: 'chat_message', content: 'x'.repeat(2000) }))
  t.equal((await client.closed).code, 1009)
})

t.test('websocket plugin › an error on another websocket route closes 1009 through the plugin error handler', async t => {
  const app = await buildApp({ config: loadConfig({ ...TEST_ENV, MAX_MESSAGE_BYTES: '1024' }) })
  t.teardown(() => app.close())
  app.get('/echo', { websocket: true }, (socket) => { socket.on('message', (data) => socket.send(data)) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const client = new Client(`ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/echo`)
  await client.opened
  client.send('x'.repeat(2000))
  t.equal((await client.closed).code, 1009)
})

t.test('GET /ws › handler failures answer MESSAGE_ERROR with the id; replies are stamped and echo the id', async t => {
  const id = Type.Optional(Type.String())
  const messages = [
    defineMessage(Type.Object({ type: Type.Literal('boom'), id }), () => { throw new Error('sync failure') }),
    defineMessage(Type.Object({ type: Type.Literal('boom_later'), id }), async () => { throw new Error('async failure') })
  ]
  const { app, ws } = await listen(t, {}, { messages })
  const [client] = await authenticated(app, ws)
  t.match(await client.request({ type: 'boom', id: 'a' }), { type: 'error', code: 'MESSAGE_ERROR', id: 'a' })
  t.match(await client.request({ type: 'boom_later', id: 'b' }), { type: 'error', code: 'MESSAGE_ERROR', id: 'b' })
  const pong = await client.request({ type: 'heartbeat_ping', id: 'c', timestamp: 17, pingTime: 42 })
  t.match(pong, { type: 'heartbeat_pong', id: 'c', originalTimestamp: 17, pingTime: 42 })
  t.ok(Date.parse(pong.timestamp))
  client.close()
  await client.closed
})
