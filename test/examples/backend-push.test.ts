import t from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { authenticated, listen } from '../helper.js'
import { freePort, runToExit } from '../support/net.js'

const SCRIPT = 'examples/backend-push.mjs'
const KEY = 'example-backend-key'

t.test('examples/backend-push.mjs › pushes to every socket of a user, then revokes them, through a real server', async t => {
  const server = await listen(t, { BACKEND_API_KEYS: KEY })
  const sockets = [await authenticated(server.app, server.ws, 'alice'), await authenticated(server.app, server.ws, 'alice')]
  const [bob] = await authenticated(server.app, server.ws, 'bob')
  const run = await runToExit(SCRIPT, ['alice'], { BACKEND_URL: server.http, BACKEND_API_KEY: KEY })
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, 'alice has 2 live session(s)\npushed a notification to alice\nrevoked 2 session(s) of alice\n')
  for (const [client] of sockets) {
    t.match(await client.next(), { type: 'notification', text: 'Your order has shipped', timestamp: String })
    t.match(await client.next(), { type: 'session_revoked', reconnect: false })
    t.equal((await client.closed).code, 4007)
  }
  t.equal((await bob.request({ type: 'heartbeat_ping' })).type, 'heartbeat_pong', 'bob saw nothing')
  bob.close()
})

t.test('examples/backend-push.mjs › fails loudly, exit 1, on a refused key, a missing setting, a non-JSON answer or no server', async t => {
  const server = await listen(t, { BACKEND_API_KEYS: KEY })
  const proxy = createServer((_request, response) => { response.writeHead(502).end('<html>bad gateway</html>') }).listen(0, '127.0.0.1')
  t.teardown(() => proxy.close())
  await once(proxy, 'listening')
  const cases = [
    [{ BACKEND_URL: server.http, BACKEND_API_KEY: 'wrong' }, /GET \/api\/websocket\/presence\?userId=alice answered 401 AUTH_INVALID: Unknown backend API key/],
    [{ BACKEND_URL: '', BACKEND_API_KEY: KEY }, /usage: BACKEND_URL=/],
    [{ BACKEND_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, BACKEND_API_KEY: KEY }, /answered 502 not JSON: Bad Gateway/],
    [{ BACKEND_URL: `http://127.0.0.1:${await freePort()}`, BACKEND_API_KEY: KEY }, /fetch failed \(.*ECONNREFUSED/]
  ] as const
  for (const [env, message] of cases) {
    const run = await runToExit(SCRIPT, ['alice'], env)
    t.equal(run.code, 1, JSON.stringify(env))
    t.match(run.stderr, message)
    t.equal(run.stdout, '')
  }
})
