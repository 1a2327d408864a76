import t from 'tap'
import { createSigner } from 'fast-jwt'
import { DEV_JWT_SECRET } from '../src/config.js'
import { authHeaders, Client } from './helper.js'
import { startServer as startChild } from './support/server.js'

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

// Any start failure (a port in use too) takes this path; one child process is enough to prove it.
t.test('npm start › exit 1 naming the variable when the configuration is invalid', async t => {
  const server = startServer({ PORT: 'eighty' })
  t.equal(await server.exited, 1)
  t.match(server.stderr(), /Failed to start: ConfigError: Invalid environment variable PORT/)
})
