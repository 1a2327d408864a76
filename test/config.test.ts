import t from 'tap'
import { loadConfig, ConfigError, EnvSchema, DEV_JWT_SECRET } from '../src/config.js'

t.test('config › defaults of PROTOCOL.md §5', async t => {
  const c = loadConfig({})
  t.match(c, {
    port: 3000,
    host: '0.0.0.0',
    production: false,
    jwtSecret: DEV_JWT_SECRET,
    ticketBindIp: false,
    trustProxy: false,
    chatServerKeys: ['UD21', 'Host', 'Reserve'],
    ticketTtlSeconds: 7200,
    authTimeoutMs: 30000,
    sessionTtlSeconds: 86400,
    ticketRateLimit: 10,
    rateWindowMs: 60000,
    redis: undefined,
    logLevel: 'info',
    enableMetrics: false,
    maxConnectionsPerIp: 100,
    maxSessionsPerUser: 20,
    messageRateLimit: 120,
    bodyLimitBytes: 16384,
    maxMessageBytes: 65536
  })
  t.same(c.allowedOrigins, ['http://localhost:3000', 'http://127.0.0.1:3000'])
})

t.test('config › values are read, trimmed and converted', async t => {
  const c = loadConfig({
    PORT: ' 8080 ',
    HOST: '127.0.0.1',
    TICKET_BIND_IP: 'true',
    TRUST_PROXY: '1',
    CHAT_SERVER_KEYS: 'a, b ,,c',
    ALLOWED_ORIGINS: 'https://a.example,https://b.example',
    RATE_WINDOW_MINUTES: '0.5',
    TICKET_EXPIRY_HOURS: '0.5',
    REDIS_HOST: 'redis.internal',
    REDIS_PASSWORD: 'pw',
    LOG_LEVEL: 'debug',
    ENABLE_METRICS: 'false',
    PROVIDER: 'ignored',
    EMPTY: ''
  })
  t.match(c, { port: 8080, host: '127.0.0.1', ticketBindIp: true, trustProxy: 1, chatServerKeys: ['a', 'b', 'c'], rateWindowMs: 30000, ticketTtlSeconds: 1800, logLevel: 'debug' })
  t.same(c.redis, { host: 'redis.internal', port: 6379, password: 'pw', keyPrefix: 'wsauth:', commandTimeoutMs: 2000, waitReplicas: 0, waitTimeoutMs: 200 })
  t.same(c.allowedOrigins, ['https://a.example', 'https://b.example', 'http://localhost:8080', 'http://127.0.0.1:8080'])
  t.same(loadConfig({ REDIS_URL: 'redis://r:6380' }).redis, { url: 'redis://r:6380', keyPrefix: 'wsauth:', commandTimeoutMs: 2000, waitReplicas: 0, waitTimeoutMs: 200 })
  t.equal(loadConfig({ PORT: '' }).port, 3000, 'an empty variable is unset')
})

t.test('config › invalid values stop the start with the variable\'s name', async t => {
  const bad: Record<string, string> = {
    PORT: 'abc',
    AUTH_TIMEOUT_MS: '-5',
    TICKET_BIND_IP: 'maybe',
    LOG_LEVEL: 'loud',
    TICKET_TTL_SECONDS: '0',
    RATE_WINDOW_MINUTES: '0',
    MAX_SESSIONS_PER_USER: '1.5',
    REDIS_PORT: '70000',
    TICKET_RATE_LIMIT: 'ten'
  }
  for (const [name, value] of Object.entries(bad)) {
    t.throws(() => loadConfig({ [name]: value }), { name: 'ConfigError', message: new RegExp(`^Invalid environment variable ${name}=`) }, `${name}=${value}`)
  }
})

t.test('config › NODE_ENV=production requires JWT_SECRET (or JWKS_URL) and CHAT_SERVER_KEYS', async t => {
  t.throws(() => loadConfig({ NODE_ENV: 'production', CHAT_SERVER_KEYS: 'k' }), ConfigError)
  t.throws(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's' }), /CHAT_SERVER_KEYS/)
  const prod = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's', CHAT_SERVER_KEYS: 'k' })
  t.match(prod, { production: true, jwtSecret: 's', chatServerKeys: ['k'] })
  t.same(prod.allowedOrigins, ['http://localhost:3000'], 'no own origins in production')
  t.match(loadConfig({ NODE_ENV: 'production', JWKS_URL: 'https://idp.example/jwks', CHAT_SERVER_KEYS: 'k' }), { jwtSecret: undefined, jwksUrl: 'https://idp.example/jwks' })
})

t.test('config › every variable has a description', async t => {
  for (const [name, schema] of Object.entries(EnvSchema.properties)) t.ok((schema as { description?: string }).description, name)
})

t.test('stores › a Redis configuration without the Redis store is a start error', async t => {
  const { createStore } = await import('../src/stores/index.js')
  await t.rejects(createStore(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' })), /Redis/)
})

t.test('config › hardening limits: defaults, and HEADERS_TIMEOUT_MS above REQUEST_TIMEOUT_MS is refused', async t => {
  t.match(loadConfig({}), { maxUnauthenticatedSockets: 1000, maxBufferedBytes: 1024 * 1024, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 })
  t.throws(() => loadConfig({ HEADERS_TIMEOUT_MS: '40000' }), { name: 'ConfigError', message: /HEADERS_TIMEOUT_MS/ })
  t.throws(() => loadConfig({ MAX_BUFFERED_BYTES: '0' }), { name: 'ConfigError', message: /MAX_BUFFERED_BYTES/ })
})
