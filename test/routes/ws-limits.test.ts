import t from 'tap'
import type { AddressInfo, Socket } from 'node:net'
import { listen, authenticated, issueTicket, Client, build, TEST_ENV, type App } from '../helper.js'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { rawUpgrade } from '../support/upgrade.js'
import { removalOf, waitFor } from '../support/events.js'

const settle = async (ms = 50) => await new Promise(resolve => setTimeout(resolve, ms))
/** The `count`-th admission place given back from now on. */
const releases = (app: App, count: number) => { let seen = 0; return waitFor(app.liveSockets.events, 'released', () => ++seen === count) }
/** Stop reading: the client's kernel buffer fills, then the server's, then the server's send queue grows. */
const stopReading = (client: Client) => { (client.socket as unknown as { _socket: Socket })._socket.pause() }

t.test('GET /ws › a burst of concurrent upgrades cannot pass MAX_CONNECTIONS_PER_IP; failed handshakes give their place back', async t => {
  const app = await buildApp({ config: loadConfig({ ...TEST_ENV, MAX_CONNECTIONS_PER_IP: '5' }) })
  t.teardown(() => app.close())
  // Asynchronous work between admission and upgrade (as a store-backed check would do) opens the window a late count falls into.
  app.addHook('preHandler', async () => { await settle(20) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const ws = `ws://127.0.0.1:${port}/ws`
  const burst = Array.from({ length: 30 }, () => new Client(ws))
  const outcomes = await Promise.allSettled(burst.map(async c => await c.opened))
  t.equal(outcomes.filter(o => o.status === 'fulfilled').length, 5, 'exactly the cap is admitted')
  t.equal(outcomes.filter(o => o.status === 'rejected' && /HTTP 429/.test(String(o.reason))).length, 25, 'the rest get 429')
  t.match(JSON.parse((await rawUpgrade(port)).body), { success: false, code: 'CONNECTION_LIMIT' })
  const admittedGone = releases(app, 5)
  for (const c of burst) c.socket.terminate()
  await admittedGone
  // A handshake ws refuses (bad key) took a place at admission: it must be released when its TCP socket closes.
  const refusedGone = releases(app, 8)
  for (let i = 0; i < 8; i++) t.equal((await rawUpgrade(port, { 'sec-websocket-key': 'not-a-key' })).status, 400)
  await refusedGone
  const again = await Promise.all(Array.from({ length: 5 }, async () => (await Client.connect(ws))[0]))
  t.equal(again.length, 5, 'every place came back')
  for (const c of again) c.close()
})

t.test('GET /ws › 503 UNAUTHENTICATED_LIMIT beyond MAX_UNAUTHENTICATED_SOCKETS; authenticated sockets do not count', async t => {
  const { app, port, ws } = await listen(t, { MAX_UNAUTHENTICATED_SOCKETS: '2' })
  const [a] = await Client.connect(ws)
  const [b] = await Client.connect(ws)
  const refused = await rawUpgrade(port)
  t.equal(refused.status, 503)
  t.match(JSON.parse(refused.body), { success: false, code: 'UNAUTHENTICATED_LIMIT' })
  t.equal((await a.request({ type: 'ticket_authenticate', ticket: await issueTicket(app) })).type, 'authentication_success')
  const [c] = await Client.connect(ws)
  t.ok(c, 'an authenticated socket frees its unauthenticated place')
  await t.rejects(new Client(ws).opened, /HTTP 503/)
  const bGone = releases(app, 1)
  b.close()
  await b.closed
  await bGone
  const [d] = await Client.connect(ws)
  t.ok(d, 'a closed socket frees its place')
  for (const x of [a, c, d]) x.close()
})

t.test('GET /ws › app.injectWS sockets have no address to count and are served', async t => {
  const app = await build(t, { MAX_CONNECTIONS_PER_IP: '1' })
  const greetings: string[] = []
  let greeted!: () => void
  const bothGreeted = new Promise<void>(resolve => { greeted = resolve })
  const sockets = await Promise.all([1, 2].map(async () => await app.injectWS('/ws', {}, {
    onInit: socket => { socket.on('message', data => { if (greetings.push(JSON.parse(data.toString()).type) === 2) greeted() }) }
  })))
  await bothGreeted
  t.same(greetings, ['connection_established', 'connection_established'])
  for (const s of sockets) s.terminate()
})

t.test('GET /ws › a client that stops reading deliveries is terminated once MAX_BUFFERED_BYTES are queued', async t => {
  const { app, ws } = await listen(t, { MAX_BUFFERED_BYTES: '65536' })
  const [slow, ok] = await authenticated(app, ws, 'slow')
  const [healthy] = await authenticated(app, ws, 'healthy')
  stopReading(slow)
  const payload = JSON.stringify({ type: 'notice', blob: 'x'.repeat(256 * 1024) })
  const removed = removalOf(app.liveSockets.events, ok.sessionId, 20_000)
  let sent = 0
  while (app.liveSockets.count() === 2 && sent < 400) {
    await app.store.publish({ kind: 'deliver', sessionId: ok.sessionId, payload })
    sent++
    await settle(1)
  }
  t.equal(app.liveSockets.count(), 1, `terminated after ${sent} deliveries of 256 KiB`)
  await removed
  t.same(await app.store.listSessions('slow'), [], 'its session is removed')
  t.equal((await healthy.request({ type: 'heartbeat_ping', pingTime: 1 })).type, 'heartbeat_pong', 'others keep being served')
  healthy.close()
})

t.test('GET /ws › a client that sends but never reads is terminated once its replies pass MAX_BUFFERED_BYTES', async t => {
  const { app, ws } = await listen(t, { MAX_BUFFERED_BYTES: '65536', MESSAGE_RATE_LIMIT: '100000' })
  const [slow, ok] = await authenticated(app, ws, 'slow')
  const removed = removalOf(app.liveSockets.events, ok.sessionId, 20_000)
  stopReading(slow)
  const content = 'y'.repeat(16_000)
  let sent = 0
  while (app.liveSockets.count() === 1 && sent < 3000) {
    slow.send({ type: 'chat_message', content })
    sent++
    if (sent % 20 === 0) await settle(1)
  }
  await removed
  t.equal(app.liveSockets.count(), 0, `terminated after ${sent} echoes of 16 kB`)
})
