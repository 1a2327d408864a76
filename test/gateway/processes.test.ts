import t from 'tap'
import { once } from 'node:events'
import WebSocket from 'ws'
import { freePort, runScript } from '../support/net.js'
import { issueTicket } from '../helper.js'
import { createSigner } from 'fast-jwt'
import { DEV_JWT_SECRET } from '../../src/config.js'
import { UPSTREAM_SECRET, connectClient, startGateway, startUpstream } from './support.js'

const EXAMPLE = 'examples/upstream-express/server.ts'

t.test('examples/upstream-express › a chat server that trusts the gateway\'s identity header, started as its own process', async t => {
  const port = await freePort()
  await runScript(t, EXAMPLE, { UPSTREAM_SECRET, CHAT_PORT: String(port) })
  const { app, ws } = await startGateway(t, `ws://127.0.0.1:${port}`)
  const client = await connectClient(ws)
  client.send({ type: 'ticket_authenticate', ticket: await issueTicket(app, 'alice') })
  const ok = await client.json()
  t.match(ok, { type: 'authentication_success' })
  t.same(await client.json(), { type: 'welcome', userId: 'alice', sessionId: ok.sessionId, address: '127.0.0.1' }, 'it knows who connected')
  client.send({ type: 'other' })
  client.send({ type: 'chat_message', id: 'm1', content: 'hello' })
  t.same(await client.json(), { type: 'chat_response', id: 'm1', content: 'alice: hello' }, 'chats with the user id')
  t.match(await (await fetch(`http://127.0.0.1:${port}/health`)).json(), { status: 'ok' }, 'Express serves its own routes')

  const direct = new WebSocket(`ws://127.0.0.1:${port}`, { headers: { 'x-ws-auth-identity': createSigner({ key: 'x'.repeat(32) })({ sub: 'mallory' }) } })
  const [, response] = await once(direct, 'unexpected-response')
  t.equal(response.statusCode, 401, 'an identity not signed with UPSTREAM_SECRET is refused')
  direct.on('error', () => {})
  direct.terminate()
  client.socket.close()
})

t.test('examples/upstream-express › fails loudly on a bad start: a short secret, a port in use', async t => {
  await t.rejects(runScript(t, EXAMPLE, { UPSTREAM_SECRET: 'short' }), /exited 1 before listening/)
  const upstream = await startUpstream(t)
  await t.rejects(runScript(t, EXAMPLE, { UPSTREAM_SECRET, CHAT_PORT: new URL(upstream.url).port }), /exited 1 before listening/)
})

t.test('npm start in gateway mode › SIGTERM: the client gets server_shutdown and 1001, the upstream 1001', async t => {
  const upstream = await startUpstream(t)
  const port = await freePort()
  const server = await runScript(t, 'src/server.ts', {
    PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'info', UPSTREAM_URL: upstream.url, UPSTREAM_SECRET
  })
  const token = createSigner({ key: DEV_JWT_SECRET, algorithm: 'HS256' })({ userId: 'alice' })
  const res = await fetch(`http://127.0.0.1:${port}/api/websocket/ticket`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-chat-server-key': 'UD21', 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'alice' })
  })
  const client = await connectClient(`ws://127.0.0.1:${port}/ws`)
  client.send({ type: 'ticket_authenticate', ticket: (await res.json()).ticket })
  t.match(await client.json(), { type: 'authentication_success' })
  const peer = await upstream.next()
  const exited = once(server, 'exit')
  server.kill('SIGTERM')
  t.match(await client.json(), { type: 'server_shutdown' })
  t.match(await client.closed, { code: 1001 })
  t.match(await peer.closed, { code: 1001 })
  t.same(await exited, [0, null], 'exit 0')
})
