import t, { type Test as Tap } from 'tap'
import { connectClient, startGateway, startUpstream, through, type Peer } from './support.js'
import { issueTicket, type App } from '../helper.js'

async function pair (t: Tap, env: Record<string, string> = {}): Promise<{ app: App, client: Peer, peer: Peer, sessionId: string }> {
  const upstream = await startUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url, env)
  const [client, peer, ok] = await through(app, ws, upstream)
  return { app, client, peer, sessionId: ok.sessionId }
}

t.test('gateway › the client closes (whatever its code): the upstream is closed 1000', async t => {
  for (const code of [1000, 4321]) {
    const { client, peer } = await pair(t)
    client.socket.close(code, 'bye')
    t.match(await peer.closed, { code: 1000 }, `client closed ${code}`)
  }
})

t.test('gateway › the upstream closes 1000, 1001 or 4000-4999: the client is closed with the same code and reason', async t => {
  for (const [code, reason] of [[1000, 'done'], [1001, 'restarting'], [4000, ''], [4321, 'kicked by moderator'], [4999, 'x']] as const) {
    const { client, peer } = await pair(t)
    peer.socket.close(code, reason)
    t.same(await client.closed, { code, reason }, `upstream closed ${code}`)
    t.equal(client.count, 2, 'no error message before it (connection_established and authentication_success only)')
  }
})

t.test('gateway › any other end of the upstream: error UPSTREAM_UNAVAILABLE and close 1014', async t => {
  const ends: Record<string, (peer: Peer) => void> = {
    'close 1011': peer => { peer.socket.close(1011, 'crash') },
    'close 3000': peer => { peer.socket.close(3000) },
    'close without a code (1005)': peer => { peer.socket.close() },
    'TCP dropped': peer => { peer.socket.terminate() }
  }
  for (const [name, end] of Object.entries(ends)) {
    const { client, peer } = await pair(t)
    end(peer)
    t.match(await client.json(), { type: 'error', code: 'UPSTREAM_UNAVAILABLE' }, name)
    t.match(await client.closed, { code: 1014 })
  }
})

t.test('gateway › revocation closes both sides 4007', async t => {
  const { app, client, peer, sessionId } = await pair(t)
  await app.store.publish({ kind: 'revoke', sessionId })
  t.match(await client.json(), { type: 'session_revoked' })
  t.match(await client.closed, { code: 4007 })
  t.match(await peer.closed, { code: 4007, reason: 'Session was revoked' })
})

t.test('gateway › expiry: session_expiring, a refresh the service answers itself, then session_expired and 4016 on both sides', async t => {
  const { app, client, peer, sessionId } = await pair(t, { SESSION_TTL_SECONDS: '2', SESSION_EXPIRY_NOTICE_SECONDS: '1' })
  client.send({ type: 'session_refresh', ticket: await issueTicket(app, 'alice'), id: 'r' })
  const refreshed = await client.json()
  t.match(refreshed, { type: 'session_refreshed', id: 'r', sessionId })
  // The upstream's first frame is the one sent after the refresh: the refresh never reached it.
  client.send({ type: 'chat_message', content: 'after refresh' })
  t.match(JSON.parse((await peer.next()).text), { type: 'chat_message', content: 'after refresh' })
  t.match(await client.json(3000), { type: 'session_expiring', expiresAt: refreshed.expiresAt })
  t.match(await client.json(3000), { type: 'session_expired' })
  t.match(await client.closed, { code: 4016 })
  t.match(await peer.closed, { code: 4016 })
  t.equal(peer.count, 1, 'only the chat_message was relayed')
})

t.test('gateway › a client that stops answering pings is terminated; its upstream is closed 1001', async t => {
  const upstream = await startUpstream(t)
  const { app, ws } = await startGateway(t, upstream.url, { HEARTBEAT_INTERVAL_MS: '100' })
  const accepted = upstream.next()
  const client = await connectClient(ws, { autoPong: false })
  client.send({ type: 'ticket_authenticate', ticket: await issueTicket(app, 'alice') })
  t.match(await client.json(), { type: 'authentication_success' })
  t.match(await (await accepted).closed, { code: 1001 })
  t.match(await client.closed, { code: 1006 }, 'terminated without a close frame')
})

t.test('gateway › shutdown: server_shutdown and 1001 to the client, 1001 to the upstream', async t => {
  const { app, client, peer } = await pair(t)
  const closing = app.close()
  t.match(await client.json(), { type: 'server_shutdown' })
  t.match(await client.closed, { code: 1001 })
  t.match(await peer.closed, { code: 1001 })
  await closing
})
