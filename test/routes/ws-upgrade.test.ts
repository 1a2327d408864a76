import t from 'tap'
import { request } from 'node:http'
import WebSocket from 'ws'
import { listen, authenticated, Client } from '../helper.js'
import { waitFor } from '../support/events.js'

t.test('GET /ws › 403 before any frame for an Origin outside ALLOWED_ORIGINS; allowed and absent Origins pass', async t => {
  const { ws } = await listen(t, { ALLOWED_ORIGINS: 'https://chat.example.com' })
  const refused = new Client(ws, { origin: 'https://evil.example' })
  await t.rejects(refused.opened, /HTTP 403/)
  // Outside production the service's own origins (PORT, default 3000) are always allowed, for its demo page.
  for (const origin of ['https://chat.example.com', 'http://localhost:3000', 'http://127.0.0.1:3000', undefined]) {
    const [client, hello] = await Client.connect(ws, origin === undefined ? {} : { origin })
    t.equal(hello.type, 'connection_established', `origin ${origin ?? '(none)'}`)
    client.close()
  }
})

t.test('GET /ws › the 403 body is the protocol envelope', async t => {
  const { port } = await listen(t)
  const [status, body] = await new Promise<[number, string]>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/ws', headers: { origin: 'https://evil.example', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } })
    req.on('response', res => {
      let data = ''
      res.on('data', chunk => { data += chunk })
      res.on('end', () => resolve([res.statusCode ?? 0, data]))
    })
    req.on('upgrade', () => reject(new Error('upgraded')))
    req.on('error', reject)
    req.end()
  })
  t.equal(status, 403)
  t.match(JSON.parse(body), { success: false, code: 'ORIGIN_NOT_ALLOWED' })
})

t.test('GET /ws › a plain GET answers 426 UPGRADE_REQUIRED', async t => {
  const { http } = await listen(t)
  const res = await fetch(`${http}/ws`)
  t.equal(res.status, 426)
  t.match(await res.json(), { success: false, code: 'UPGRADE_REQUIRED' })
})

t.test('GET /ws › 429 CONNECTION_LIMIT beyond MAX_CONNECTIONS_PER_IP open sockets; a closed one frees its place', async t => {
  const { app, ws } = await listen(t, { MAX_CONNECTIONS_PER_IP: '2' })
  const [a] = await Client.connect(ws)
  const [b] = await Client.connect(ws)
  await t.rejects(new Client(ws).opened, /HTTP 429/)
  const released = waitFor(app.liveSockets.events, 'released')
  a.close()
  await a.closed
  await released
  const [c] = await Client.connect(ws)
  t.ok(c)
  b.close()
  c.close()
})

t.test('GET /ws › WebSocket pings; a peer that stops answering is terminated', async t => {
  const { ws } = await listen(t, { HEARTBEAT_INTERVAL_MS: '100' })
  const [alive] = await Client.connect(ws)
  let pings = 0
  alive.socket.on('ping', () => { pings++ })
  const dead = new Client(ws, { autoPong: false })
  await dead.opened
  const closed = await dead.closed
  t.equal(closed.code, 1006, 'terminated without a close frame')
  t.ok(pings >= 1, 'live peers are pinged')
  t.equal(alive.socket.readyState, WebSocket.OPEN, 'a peer that answers stays')
  alive.close()
})

t.test('server shutdown › every client gets server_shutdown, then close 1001', async t => {
  const { app, ws } = await listen(t)
  const [authed] = await authenticated(app, ws)
  const [anonymous] = await Client.connect(ws)
  await app.close()
  for (const client of [authed, anonymous]) {
    t.match(await client.next(), { type: 'server_shutdown' })
    t.equal((await client.closed).code, 1001)
  }
})
