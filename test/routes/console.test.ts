import t from 'tap'
import { build } from '../helper.js'
import { buildConsole } from '../../src/demo/bundle.js'

// Built once per file from the sources, so the page under test is never a stale dist/ copy.
const assets = buildConsole(t.testdir())
const ON = { BACKEND_API_KEYS: 'console-test-key' }

t.test('GET /admin › 404 NOT_FOUND, like any unknown route, when BACKEND_API_KEYS is unset', async t => {
  const app = await build(t, {}, { consoleAssetsDir: await assets })
  for (const url of ['/admin', '/admin/page.js', '/admin/page.css', '/api/websocket/stats']) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 404, url)
    t.equal(res.json().code, 'NOT_FOUND', url)
  }
})

t.test('GET /admin › the console, its module script and stylesheet, under a CSP without inline scripts', async t => {
  const app = await build(t, { ...ON, NODE_ENV: 'production', JWT_SECRET: 'prod-secret', CHAT_SERVER_KEYS: 'k' }, { consoleAssetsDir: await assets })
  const page = await app.inject({ method: 'GET', url: '/admin' })
  t.equal(page.statusCode, 200, 'served in production too: the page holds no secret')
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, '<script type="module" src="/admin/page.js"></script>')
  t.notMatch(page.body, /<script>|on(click|load|submit)=|https?:\/\//, 'no inline script, handler or external asset')
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, /default-src 'self'/)
  t.match(csp, /script-src 'self'/)
  t.notMatch(csp.split(';').find(d => d.trim().startsWith('script-src')), /unsafe-inline/)
  t.match(page.headers, {
    'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'no-referrer', 'cross-origin-opener-policy': 'same-origin'
  })
  const script = await app.inject({ method: 'GET', url: '/admin/page.js' })
  t.match(script.headers['content-type'], /^text\/javascript/)
  t.match(script.body, 'sessionStorage', 'the key is kept in session storage')
  t.notMatch(script.body, /localStorage|[?&](key|token)=/, 'never in local storage or a URL')
  const css = await app.inject({ method: 'GET', url: '/admin/page.css' })
  t.match(css.headers['content-type'], /^text\/css/)
  t.equal(css.headers['content-security-policy'], page.headers['content-security-policy'])
})

t.test('GET /admin › an unbuilt console is not served, and the backend API still is', async t => {
  const app = await build(t, ON, { consoleAssetsDir: t.testdir() + '/missing' })
  t.equal((await app.inject({ method: 'GET', url: '/admin' })).statusCode, 404)
  const stats = await app.inject({ method: 'GET', url: '/api/websocket/stats', headers: { authorization: 'Bearer console-test-key' } })
  t.equal(stats.statusCode, 200)
})
