import t from 'tap'
import Fastify from 'fastify'
import { build } from '../helper.js'
import { buildDemo } from '../../src/demo/bundle.js'
import demoRoute from '../../routes/demo.js'
import configPlugin from '../../plugins/config.js'
import { loadConfig } from '../../src/config.js'

// Built once per file from the sources, so the page under test is never a stale dist/ copy.
const assets = buildDemo(t.testdir())

t.test('GET / › the demo page, its module script and stylesheet, under a CSP without inline scripts', async t => {
  const app = await build(t, {}, { demoAssetsDir: await assets })
  const page = await app.inject({ method: 'GET', url: '/' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, '<script type="module" src="/demo/page.js"></script>')
  t.notMatch(page.body, /<script>|on(click|load|submit)=/, 'no inline script or handler')
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, /script-src 'self'/)
  t.notMatch(csp.split(';').find(d => d.trim().startsWith('script-src')), /unsafe-inline/)
  const script = await app.inject({ method: 'GET', url: '/demo/page.js' })
  t.equal(script.statusCode, 200)
  t.match(script.headers['content-type'], /^text\/javascript/)
  t.match(script.body, 'ticket_authenticate', 'the client SDK is bundled in')
  t.notMatch(script.body, /from\s*["'](node:|ws["'])/, 'no Node import left')
  const css = await app.inject({ method: 'GET', url: '/demo/page.css' })
  t.match(css.headers['content-type'], /^text\/css/)
})

t.test('POST /demo/token › mints a development JWT the ticket route accepts (issuer and audience included)', async t => {
  const app = await build(t, { JWT_ISSUER: 'demo-issuer', JWT_AUDIENCE: 'chat', CHAT_SERVER_KEYS: 'k1,k2' }, { demoAssetsDir: await assets })
  const res = await app.inject({ method: 'POST', url: '/demo/token', payload: { userId: 'zoe' } })
  t.equal(res.statusCode, 200)
  const { token, serverKey, expiresIn } = res.json()
  t.equal(serverKey, 'k1')
  t.equal(expiresIn, 3600)
  const ticket = await app.inject({
    method: 'POST',
    url: '/api/websocket/ticket',
    headers: { authorization: `Bearer ${token as string}`, 'x-chat-server-key': serverKey, 'content-type': 'application/json' },
    payload: { userId: 'zoe' }
  })
  t.equal(ticket.statusCode, 200, ticket.body)
  t.match(ticket.json(), { success: true, ticket: /^ws_ticket_/ })
  const bad = await app.inject({ method: 'POST', url: '/demo/token', payload: { userId: '' } })
  t.match(bad, { statusCode: 400 })
  t.equal(bad.json().code, 'VALIDATION_ERROR')
})

t.test('GET / › absent with DEMO_PAGE=false and in production', async t => {
  const off = await build(t, { DEMO_PAGE: 'false' }, { demoAssetsDir: await assets })
  const prod = await build(t, { NODE_ENV: 'production', JWT_SECRET: 'prod-secret', CHAT_SERVER_KEYS: 'k', DEMO_PAGE: 'true' }, { demoAssetsDir: await assets })
  for (const app of [off, prod]) {
    t.equal((await app.inject({ method: 'GET', url: '/' })).json().code, 'NOT_FOUND')
    t.equal((await app.inject({ method: 'POST', url: '/demo/token', payload: { userId: 'x' } })).statusCode, 404)
  }
})

t.test('GET / › an unbuilt page is not served, and the service still starts', async t => {
  const app = await build(t, {}, { demoAssetsDir: t.testdir() + '/missing' })
  t.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
})

t.test('POST /demo/token › absent when there is no secret to sign with (JWKS only)', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(configPlugin, { config: { ...loadConfig({ JWKS_URL: 'https://idp.example/jwks.json' }) } })
  await app.register(demoRoute, { assetsDir: await assets })
  t.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/demo/token', payload: { userId: 'x' } })).statusCode, 404)
})
