import t from 'tap'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createMemoryStore, type MemoryStore } from '../../src/stores/memory.js'
import { closeHandler } from '../../plugins/shutdown.js'
import { authenticated, authHeaders, Client, TEST_ENV, type App } from '../helper.js'

/** A promise with its resolver, to hold a handler or a hook at a known point. */
function gate () {
  let open!: () => void
  const opened = new Promise<void>(resolve => { open = resolve })
  return { open, opened }
}

async function start (app: App) {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return { http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws` }
}

/** The memory store with a network store's latency on removals: a fire-and-forget removal is still in flight at close. */
function withRemovalLatency (store: MemoryStore): MemoryStore {
  return Object.assign(Object.create(store) as MemoryStore, {
    removeSession: async (sessionId: string) => {
      await new Promise(resolve => setTimeout(resolve, 200))
      return await store.removeSession(sessionId)
    }
  })
}

t.test('shutdown › sockets get server_shutdown then 1001, new work is refused 503, in-flight requests finish', async t => {
  const store = createMemoryStore()
  const app = await buildApp({ config: loadConfig(TEST_ENV), store })
  const slowEntered = gate()
  const slowRelease = gate()
  app.get('/slow', async () => {
    slowEntered.open()
    await slowRelease.opened
    return { done: true }
  })
  // Holds the close after the sockets are gone and before the listener stops: the drain window.
  const draining = gate()
  const resume = gate()
  app.addHook('preClose', async () => {
    draining.open()
    await resume.opened
  })
  const { http, ws } = await start(app)
  const token = app.jwt.sign({ userId: 'alice' })

  const [client] = await authenticated(app, ws, 'alice')
  const slow = fetch(`${http}/slow`)
  await slowEntered.opened

  const closing = app.close()
  t.match(await client.next(), { type: 'server_shutdown' })
  t.match(await client.closed, { code: 1001 })
  await draining.opened

  const refused = await fetch(`${http}/api/websocket/ticket`, { method: 'POST', headers: authHeaders(token), body: JSON.stringify({ userId: 'alice' }) })
  t.equal(refused.status, 503)
  t.match(await refused.json(), { success: false, code: 'SHUTTING_DOWN' })
  await t.rejects(Client.connect(ws), /HTTP 503/, 'upgrades are refused')
  const sessions = await fetch(`${http}/api/websocket/sessions`, { headers: authHeaders(token) })
  t.equal(sessions.status, 200, 'other routes still answer while draining')

  slowRelease.open()
  const finished = await slow
  t.equal(finished.status, 200)
  t.same(await finished.json(), { done: true }, 'the in-flight request finished')
  resume.open()
  await closing
})

t.test('shutdown › the sessions of this instance are removed from the store before it closes', async t => {
  const store = createMemoryStore()
  const app = await buildApp({ config: loadConfig(TEST_ENV), store: withRemovalLatency(store) })
  const { ws } = await start(app)
  await authenticated(app, ws, 'alice')
  await authenticated(app, ws, 'bob')
  t.same(store.size().sessions, 2)
  await app.close()
  t.same(store.size().sessions, 0, 'removed and awaited, not left to the sockets\' fire-and-forget cleanup')
})

t.test('shutdown › a peer that never completes the closing handshake is cut off within SHUTDOWN_TIMEOUT_MS', async t => {
  const app = await buildApp({ config: loadConfig({ ...TEST_ENV, SHUTDOWN_TIMEOUT_MS: '400' }) })
  const { ws } = await start(app)
  const [client] = await authenticated(app, ws, 'alice')
  // The client stops reading: it never sees the close frame, so it never answers it.
  const raw = (client.socket as unknown as { _socket: { pause: () => void, resume: () => void } })._socket
  raw.pause()
  const started = Date.now()
  await app.close()
  t.ok(Date.now() - started < 400, 'closed by the straggler timer, not ws\'s 30 s close timeout')
  raw.resume()
  t.ok((await client.closed).code > 0, 'the client sees the connection end')
})

t.test('shutdown › closeHandler logs the signal or the error, then closes the app', async t => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const config = loadConfig({ ...TEST_ENV, LOG_LEVEL: 'info' })
  for (const reason of [{ signal: 'SIGTERM' }, { err: new Error('boom') }]) {
    const app = await buildApp({ config }, { logger: { level: 'info', stream } })
    await app.ready()
    await closeHandler(app)(reason)
    t.throws(() => app.get('/late', async () => 'x'), 'the app is closed')
  }
  const logs = lines.map(l => JSON.parse(l))
  t.ok(logs.some(l => l.msg === 'closing' && l.signal === 'SIGTERM'))
  t.ok(logs.some(l => l.level === 50 && l.err?.message === 'boom'))
})
