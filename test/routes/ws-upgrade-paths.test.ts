import t from 'tap'
import Fastify from 'fastify'
import { app as service } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { listen, TEST_ENV } from '../helper.js'
import { rawRequest, upgradeRequest } from '../support/raw-http.js'

// Every GET route exists: metrics, the backend API, the demo page.
const ENV = { ENABLE_METRICS: 'true', BACKEND_API_KEYS: 'backend-key', DEMO_PAGE: 'true' }
const FOREIGN = 'Origin: https://evil.example'

/** The GET routes the service registers, as concrete paths (parameters and wildcards filled in). */
async function getPaths (): Promise<string[]> {
  const probe = Fastify()
  const paths = new Set<string>()
  probe.addHook('onRoute', route => {
    const methods = [route.method].flat()
    if (methods.includes('GET')) paths.add(route.url.replace(/:\w+/g, 'x').replace('*', 'x'))
  })
  await probe.register(service, { config: loadConfig({ ...TEST_ENV, ...ENV }) })
  await probe.ready()
  await probe.close()
  return [...paths]
}

t.test('upgrades › only /ws answers 101: every other GET route answers the plain request and closes, no socket held', async t => {
  const { port } = await listen(t, ENV)
  const paths = await getPaths()
  t.ok(paths.includes('/health') && paths.includes('/docs/json') && paths.includes('/metrics'), `routes found: ${paths.join(' ')}`)
  for (const path of paths.filter(p => p !== '/ws')) {
    const plain = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
    const upgrade = await rawRequest(port, upgradeRequest(path, [FOREIGN]))
    t.not(upgrade.status, 101, `${path}: no 101`)
    t.equal(upgrade.status, plain.status, `${path}: the plain answer (${plain.status})`)
  }
})

t.test('upgrades › an unknown path answers 404 NOT_FOUND in the envelope, no socket held', async t => {
  const { port } = await listen(t, ENV)
  for (const path of ['/', '/nope', '/ws/', '/wsx', '/docs/static/none.js']) {
    const answer = await rawRequest(port, upgradeRequest(path, [FOREIGN]))
    t.not(answer.status, 101, `${path}: no 101`)
    if (answer.status === 404) t.match(JSON.parse(answer.body.slice(answer.body.indexOf('{'))), { success: false, code: 'NOT_FOUND' })
  }
})

t.test('upgrades › /ws still upgrades, and a foreign Origin there is refused 403', async t => {
  const { port } = await listen(t, ENV)
  t.equal((await rawRequest(port, upgradeRequest('/ws', [FOREIGN]))).status, 403)
  const socket = rawRequest(port, upgradeRequest('/ws'), 300)
  await t.rejects(socket, /still open/, 'upgraded: the service keeps the socket')
})
