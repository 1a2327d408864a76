import t from 'tap'
import { createSigner } from 'fast-jwt'
import { DEV_JWT_SECRET } from '../src/config.js'
import { authHeaders, Client } from './helper.js'
import { startServer as startChild } from './support/server.js'
import { connect } from 'node:net'
import { once } from 'node:events'

/** `npm start` on a free port, in the test environment. */
const startServer = (env: Record<string, string>) =>
  startChild({ ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env })

t.test('npm start › SIGTERM: server_shutdown then 1001 to clients, sessions removed, exit 0', async t => {
  const server = startServer({ SHUTDOWN_TIMEOUT_MS: '5000' })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const base = await server.listening
  const token = createSigner({ key: DEV_JWT_SECRET, algorithm: 'HS256' })({ userId: 'alice' })
  const res = await fetch(`${base}/api/websocket/ticket`, { method: 'POST', headers: authHeaders(token), body: JSON.stringify({ userId: 'alice' }) })
  t.equal(res.status, 200)
  const [client] = await Client.connect(`${base.replace('http', 'ws')}/ws`)
  const ok = await client.request({ type: 'ticket_authenticate', ticket: (await res.json()).ticket })
  t.equal(ok.type, 'authentication_success')

  server.child.kill('SIGTERM')
  t.match(await client.next(), { type: 'server_shutdown' })
  t.match(await client.closed, { code: 1001 })
  t.equal(await server.exited, 0)
  t.ok(server.logs.some(l => l.msg === 'closing' && l.signal === 'SIGTERM'))
  t.ok(server.logs.some(l => /sessions from the store/.test(l.msg) && l.sessions === 1 && l.failed === 0), 'this instance\'s session left the store')
})

// Any start failure takes this path (a port in use: test/entry-points.test.ts).
t.test('npm start › exit 1 naming the variable when the configuration is invalid', async t => {
  const server = startServer({ PORT: 'eighty' })
  t.equal(await server.exited, 1)
  t.match(server.stderr(), /Failed to start: ConfigError: Invalid environment variable PORT/)
})

t.test('npm start › SHUTDOWN_TIMEOUT_MS: a drain that does not fit exits 1 at the deadline', async t => {
  const server = startServer({ SHUTDOWN_TIMEOUT_MS: '300' })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const { port } = new URL(await server.listening)
  // A request whose body never comes holds the drain (REQUEST_TIMEOUT_MS is 30 s).
  const stuck = connect(Number(port), '127.0.0.1')
  t.teardown(() => { stuck.destroy() })
  await once(stuck, 'connect')
  // `Expect: 100-continue`: the server's `100 Continue` proves it holds the request before the signal.
  stuck.write('POST /api/websocket/ticket HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n')
  t.match(String((await once(stuck, 'data'))[0]), 'HTTP/1.1 100 Continue')
  stuck.write('{')
  const signalled = Date.now()
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 1)
  const took = Date.now() - signalled
  t.ok(took >= 300 && took < 5000, `exited at the deadline (${took} ms)`)
  t.ok(server.logs.some(l => /killed by timeout \(300ms\)/.test(l.msg)), 'close-with-grace says why')
})
