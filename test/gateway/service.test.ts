import t from 'tap'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { loadConfig } from '../../src/config.js'
import { createUpstreamProbe, PROBE_CACHE_MS } from '../../src/upstream-probe.js'
import { freePort } from '../support/net.js'
import { build } from '../helper.js'
import { UPSTREAM_SECRET, startUpstream } from './support.js'

t.test('config › gateway mode refuses UPSTREAM_URL without a strong UPSTREAM_SECRET, naming the variable', async t => {
  const url = 'ws://127.0.0.1:4000'
  t.throws(() => loadConfig({ UPSTREAM_URL: url }), { name: 'ConfigError', message: /UPSTREAM_SECRET must be set to at least 32 characters/ })
  t.throws(() => loadConfig({ UPSTREAM_URL: url, UPSTREAM_SECRET: 'x'.repeat(31) }), { name: 'ConfigError', message: /UPSTREAM_SECRET/ })
  t.throws(() => loadConfig({ UPSTREAM_URL: 'http://chat:4000', UPSTREAM_SECRET }), { name: 'ConfigError', message: /UPSTREAM_URL/ })
  t.throws(() => loadConfig({ UPSTREAM_URL: url, UPSTREAM_SECRET, UPSTREAM_CONNECT_TIMEOUT_MS: '0' }), { message: /UPSTREAM_CONNECT_TIMEOUT_MS/ })
  t.same(loadConfig({ UPSTREAM_URL: url, UPSTREAM_SECRET }).upstream, { url, secret: UPSTREAM_SECRET, connectTimeoutMs: 5000 })
  t.equal(loadConfig({ UPSTREAM_SECRET }).upstream, undefined, 'no gateway without UPSTREAM_URL')
})

t.test('GET /health › checks.upstream in gateway mode: up or down, never a 503; absent otherwise', async t => {
  const upstream = await startUpstream(t)
  const up = await build(t, { UPSTREAM_URL: upstream.url, UPSTREAM_SECRET })
  t.match((await up.inject('/health')).json(), { status: 'healthy', checks: { store: 'up', upstream: 'up' } })
  const down = await build(t, { UPSTREAM_URL: `ws://127.0.0.1:${await freePort()}`, UPSTREAM_SECRET })
  const res = await down.inject('/health')
  t.equal(res.statusCode, 200)
  t.match(res.json(), { status: 'healthy', checks: { upstream: 'down' } })
  const plain = await build(t)
  t.notOk('upstream' in (await plain.inject('/health')).json().checks)
})

t.test('upstream probe › one TCP connect per PROBE_CACHE_MS however often it is asked; a silent port is down', async t => {
  let accepted = 0
  const server = createServer(socket => { accepted++; socket.destroy() }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.close() })
  let clock = 0
  const probe = createUpstreamProbe(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/chat`, () => clock)
  t.same(await Promise.all([probe(), probe(), probe()]), [true, true, true])
  clock += PROBE_CACHE_MS - 1
  t.equal(await probe(), true)
  t.equal(accepted, 1, 'answered from the cache')
  server.close()
  clock += 1
  t.equal(await probe(), false, 'dialled again once the answer is old')
  t.equal(await createUpstreamProbe(`ws://[::1]:${await freePort()}`)(), false, 'IPv6 hosts')
  t.equal(await createUpstreamProbe('wss://127.0.0.1')(), false, 'wss:// defaults to port 443')
  t.equal(await createUpstreamProbe('ws://127.0.0.1')(), false, 'ws:// defaults to port 80')
})

t.test('GET /docs/json › /ws is described: summary, 101, and its refusals', async t => {
  const app = await build(t)
  const route = (await app.inject('/docs/json')).json().paths['/ws'].get
  t.match(route.summary, /WebSocket/)
  t.match(route.description, /ticket_authenticate/)
  t.match(route.responses['101'], { description: /Switching Protocols/ })
  t.notOk('200' in route.responses, 'no made-up 200')
  t.same(Object.keys(route.responses).sort(), ['101', '400', '403', '426', '429', '503'])
  t.match(route.responses['503'].content['application/json'].schema.properties.code.enum, ['UNAUTHENTICATED_LIMIT', 'SHUTTING_DOWN'])
})
