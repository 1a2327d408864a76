import t, { type Test as Tap } from 'tap'
import { once } from 'node:events'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import WebSocket from 'ws'
import { createVerifier } from 'fast-jwt'
import { freePort } from '../support/net.js'
import { issueTicket, type App } from '../helper.js'
import { UPSTREAM_SECRET, connectClient, startGateway, startUpstream, through, type Peer } from './support.js'

const verify = createVerifier({ key: UPSTREAM_SECRET, algorithms: ['HS256'], complete: false })

t.test('gateway › the upstream gets a signed identity and the client address, and nothing of the client\'s request', async t => {
  const upstream = await startUpstream(t)
  const { app, ws } = await startGateway(t, `${upstream.url}/chat?room=1`)
  const ticket = await issueTicket(app, 'alice', { entityId: 'e-1', entityType: 'agent' })
  const client = await connectClient(`${ws}?token=leak&ticket=${ticket}`, {
    headers: { cookie: 'sid=leak', 'x-forwarded-for': '6.6.6.6', 'x-ws-auth-identity': 'forged', authorization: 'Bearer leak', 'user-agent': 'leaky-agent' }
  })
  const accepted = upstream.next()
  client.send({ type: 'ticket_authenticate', ticket, id: 'a1' })
  const ok = await client.json()
  t.match(ok, { type: 'authentication_success', id: 'a1', user: { userId: 'alice', entityId: 'e-1', entityType: 'agent' } })
  const { request } = await accepted
  const headers = request?.headers ?? {}
  const claims = verify(String(headers['x-ws-auth-identity']))
  t.match(claims, { sub: 'alice', sid: ok.sessionId, entityId: 'e-1', entityType: 'agent', chatServerKey: 'UD21' })
  t.equal(claims.exp - claims.iat, 60, 'the identity lives 60 s')
  t.ok(Math.abs(claims.iat - Date.now() / 1000) < 5, 'signed just now')
  t.equal(headers['x-forwarded-for'], '127.0.0.1', 'the address the service attributes, not the client\'s header')
  t.equal(request?.url, '/chat?room=1', 'UPSTREAM_URL\'s own path and query, not the client\'s')
  for (const name of ['cookie', 'authorization', 'origin']) t.notOk(name in headers, `no ${name}`)
  t.not(headers['user-agent'], 'leaky-agent')
  t.notMatch(JSON.stringify(headers), /leak|forged|6\.6\.6\.6/, 'no client value anywhere')
  client.socket.close()
})

t.test('gateway › authentication_success only once the upstream accepted; its first frames come after it', async t => {
  const { upstream, release } = await heldUpstream(t)
  upstream.wss.on('connection', socket => { socket.send('{"type":"welcome"}') })
  const { app, ws } = await startGateway(t, upstream.url)
  const ticket = await issueTicket(app, 'alice')
  const client = await connectClient(ws)
  client.send({ type: 'ticket_authenticate', ticket })
  await t.rejects(client.next(300), /no frame/, 'nothing while the upstream has not answered')
  release()
  t.match(await client.json(), { type: 'authentication_success' })
  t.same(await client.next(), { text: '{"type":"welcome"}', isBinary: false }, 'the upstream\'s greeting, after the success')
})

async function refusedAuthentication (t: Tap, app: App, ws: string, client: Peer, answer: Record<string, any>, ticket: string) {
  t.match(answer, { type: 'authentication_error', code: 'UPSTREAM_UNAVAILABLE', id: 'auth' })
  t.match(await client.closed, { code: 1014 })
  await waitRemoved(app, 'alice')
  const again = await connectClient(ws)
  again.send({ type: 'ticket_authenticate', ticket })
  t.match(await again.json(), { code: 'TICKET_USED' }, 'the ticket stays spent')
  again.socket.close()
}

async function waitRemoved (app: App, userId: string): Promise<void> {
  while ((await app.store.listSessions(userId)).length > 0) await once(app.liveSockets.events, 'removal')
}

/** Authenticate against a failing upstream, with the ticket kept to show it is spent. */
async function failedSignIn (app: App, ws: string): Promise<[Peer, Record<string, any>, string]> {
  const ticket = await issueTicket(app, 'alice')
  const client = await connectClient(ws)
  client.send({ type: 'ticket_authenticate', ticket, id: 'auth' })
  return [client, await client.json(), ticket]
}

t.test('gateway › UPSTREAM_UNAVAILABLE, close 1014, session removed and ticket spent when the upstream refuses (403)', async t => {
  const upstream = await startUpstream(t, { verifyClient: (_info, done) => { done(false, 403) } })
  const { app, ws } = await startGateway(t, upstream.url, { ENABLE_METRICS: 'true' })
  const [client, answer, ticket] = await failedSignIn(app, ws)
  await refusedAuthentication(t, app, ws, client, answer, ticket)
  t.match(await (await app.inject('/metrics')).body, /wsticket_upstream_connects_total\{result="refused"\} 1/)
})

t.test('gateway › UPSTREAM_UNAVAILABLE when nothing listens at UPSTREAM_URL', async t => {
  const { app, ws } = await startGateway(t, `ws://127.0.0.1:${await freePort()}`)
  const [client, answer, ticket] = await failedSignIn(app, ws)
  await refusedAuthentication(t, app, ws, client, answer, ticket)
})

t.test('gateway › UPSTREAM_UNAVAILABLE when the upstream hangs past UPSTREAM_CONNECT_TIMEOUT_MS', async t => {
  const held: Socket[] = []
  const silent = createServer(socket => { held.push(socket) }).listen(0, '127.0.0.1')
  await once(silent, 'listening')
  t.teardown(() => { for (const s of held) s.destroy(); silent.close() })
  const { app, ws } = await startGateway(t, `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`, { UPSTREAM_CONNECT_TIMEOUT_MS: '300', ENABLE_METRICS: 'true' })
  const [client, answer, ticket] = await failedSignIn(app, ws)
  await refusedAuthentication(t, app, ws, client, answer, ticket)
  t.match(await (await app.inject('/metrics')).body, /wsticket_upstream_connects_total\{result="timeout"\} 1/)
})

t.test('gateway › a client that leaves while its upstream is being opened: the upstream is closed 1000, the session removed', async t => {
  const { upstream, asked, release } = await heldUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url)
  const ticket = await issueTicket(app, 'alice')
  const client = await connectClient(ws)
  client.send({ type: 'ticket_authenticate', ticket })
  await asked
  client.socket.close()
  await client.closed
  release()
  t.match(await (await upstream.next()).closed, { code: 1000 })
  await waitRemoved(app, 'alice')
})

/** An upstream whose handshakes wait for `release()`; `asked` settles when the first one arrives. */
async function heldUpstream (t: Tap) {
  let release: () => void = () => {}
  let arrived: () => void = () => {}
  const asked = new Promise<void>(resolve => { arrived = resolve })
  const upstream = await startUpstream(t, {
    verifyClient: (_info, done) => {
      release = () => { done(true) }
      arrived()
    }
  })
  return { upstream, asked, release: () => { release() } }
}

t.test('gateway › the service closes the client during the upstream handshake (AUTH_TIMEOUT): the upstream hears that code', async t => {
  const { upstream, release } = await heldUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url, { AUTH_TIMEOUT_MS: '300' })
  const ticket = await issueTicket(app, 'alice')
  const client = await connectClient(ws)
  client.send({ type: 'ticket_authenticate', ticket })
  t.match(await client.json(), { code: 'AUTH_TIMEOUT' })
  t.match(await client.closed, { code: 4006 })
  release()
  t.match(await (await upstream.next()).closed, { code: 4006 })
})

t.test('gateway › a second authenticate is ALREADY_AUTHENTICATED and never reaches the upstream', async t => {
  const upstream = await startUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url)
  const [client, peer] = await through(app, ws, upstream)
  client.send({ type: 'ticket_authenticate', ticket: await issueTicket(app, 'alice'), id: 'again' })
  t.match(await client.json(), { type: 'error', code: 'ALREADY_AUTHENTICATED', id: 'again' })
  client.send('{"type":"marker"}')
  t.same(await peer.next(), { text: '{"type":"marker"}', isBinary: false }, 'the first frame the upstream saw')
  t.equal(client.socket.readyState, WebSocket.OPEN)
})
