import t from 'tap'
import { ConfigError, DEV_JWT_SECRET, loadConfig, resolveConfig } from '../../src/config.js'

t.test('resolveConfig › no overrides: loadConfig defaults, without the demo page', async t => {
  const { demoPage, ...rest } = resolveConfig()
  const { demoPage: envDemo, ...envDefaults } = loadConfig({})
  t.same(rest, envDefaults)
  t.equal(demoPage, false, 'library mode does not claim the host app\'s `/`')
  t.equal(envDemo, true, 'the service shows it by default outside production')
})

t.test('resolveConfig › given fields win, left-out and undefined ones keep their defaults', async t => {
  const c = resolveConfig({ jwtSecret: 's3cret', chatServerKeys: ['chat-a'], maxSessionsPerUser: 2, port: 8080, jwtIssuer: undefined })
  t.match(c, { jwtSecret: 's3cret', chatServerKeys: ['chat-a'], maxSessionsPerUser: 2, port: 8080, ticketTtlSeconds: 7200, demoPage: false })
  t.same(c.allowedOrigins, ['http://localhost:3000', 'http://localhost:8080', 'http://127.0.0.1:8080'], 'own origins follow the port')
  t.equal(resolveConfig({ jwtSecret: undefined }).jwtSecret, DEV_JWT_SECRET, 'an unset environment variable passed through keeps the default')
  t.equal(resolveConfig({ jwksUrl: 'https://idp.example/jwks.json' }).jwtSecret, undefined, 'a JWKS replaces the development secret')
  t.equal(resolveConfig({ demoPage: true }).demoPage, true)
})

t.test('resolveConfig › a full loadConfig() result passes through unchanged', async t => {
  const env = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x', CHAT_SERVER_KEYS: 'k', ALLOWED_ORIGINS: 'https://app.example', PORT: '9000' })
  t.same(resolveConfig(env), env)
})

t.test('resolveConfig › a given field is checked by its variable\'s schema, and the error names the field', async t => {
  t.throws(() => resolveConfig({ maxSessionsPerUser: 0 }), { name: 'ConfigError', message: /maxSessionsPerUser=0/ })
  t.throws(() => resolveConfig({ logLevel: 'loud' }), { name: 'ConfigError', message: /logLevel/ })
})

t.test('resolveConfig › production: the same refusals as the environment, and never the demo page', async t => {
  t.throws(() => resolveConfig({ production: true, chatServerKeys: ['k'] }), ConfigError, 'no secret')
  t.throws(() => resolveConfig({ production: true, jwtSecret: 'x' }), ConfigError, 'no keys')
  t.throws(() => resolveConfig({ chatServerKeys: [] }), { name: 'ConfigError', message: /chatServerKeys/ })
  const c = resolveConfig({ production: true, jwtSecret: 'x', chatServerKeys: ['k'], demoPage: true })
  t.match(c, { production: true, demoPage: false, allowedOrigins: ['http://localhost:3000'] })
})

t.test('config › DEMO_PAGE is on by default, off with DEMO_PAGE=false, always off in production', async t => {
  t.equal(loadConfig({}).demoPage, true)
  t.equal(loadConfig({ DEMO_PAGE: 'false' }).demoPage, false)
  t.equal(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x', CHAT_SERVER_KEYS: 'k', DEMO_PAGE: 'true' }).demoPage, false)
  t.throws(() => loadConfig({ DEMO_PAGE: 'sometimes' }), /DEMO_PAGE/)
})
