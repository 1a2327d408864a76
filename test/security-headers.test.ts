import t from 'tap'
import { SECURITY_HEADERS } from '../src/security-headers.js'
import { build } from './helper.js'

// Helmet 8's defaults, as its middleware sets them: computing them once must not lose or change one.
const HELMET_DEFAULTS = {
  'content-security-policy': "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0'
}

t.test('security headers › Helmet\'s default set, computed once and frozen', async t => {
  t.same(SECURITY_HEADERS, HELMET_DEFAULTS)
  t.ok(Object.isFrozen(SECURITY_HEADERS))
})

t.test('security headers › on a ticket answer and an error alike; Swagger UI keeps its own CSP', async t => {
  const app = await build(t)
  const refused = await app.inject({ method: 'POST', url: '/api/websocket/ticket', payload: { userId: 'alice' } })
  t.equal(refused.statusCode, 401)
  for (const [name, value] of Object.entries(HELMET_DEFAULTS)) t.equal(refused.headers[name], value, name)
  const ui = await app.inject({ method: 'GET', url: '/docs' })
  t.equal(ui.statusCode, 200)
  t.not(ui.headers['content-security-policy'], HELMET_DEFAULTS['content-security-policy'], 'the docs page answers with its own policy')
})
